package sharepoint

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	abs "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoftgraph/msgraph-sdk-go/drives"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"

	"tyomatka/internal/source"
)

const (
	conflictParam  = "@microsoft.graph.conflictBehavior"
	maxBesideTries = 50
	maxResyncs     = 5
)

// Write implements source.Sink. An output replaces the file of the same name
// only with If-Match on the eTag the bot recorded (Output.Previous); a file
// someone changed since (412), or one the bot has no record of writing
// (409 on conflictBehavior=fail), is kept and the output goes beside it as
// "name (2).ext". Graph swaps content in on commit, so readers never see a
// part.
func (c *Client) Write(ctx context.Context, dir string, outs []source.Output) ([]source.Written, error) {
	driveID, err := c.resolve(ctx)
	if err != nil {
		return nil, err
	}
	folder := joinPath(c.cfg.Output, dir)
	written := make([]source.Written, 0, len(outs))
	for _, o := range outs {
		if err := ctx.Err(); err != nil {
			return written, err
		}
		w, err := c.writeOne(ctx, driveID, folder, o)
		if err != nil {
			return written, err
		}
		if w.Beside {
			c.log.Warn("output written beside a changed file", "name", w.Name, "note", w.Note)
		}
		written = append(written, w)
	}
	return written, nil
}

func (c *Client) writeOne(ctx context.Context, driveID, folder string, o source.Output) (source.Written, error) {
	sum := sha256.Sum256(o.Data)
	hexSum := hex.EncodeToString(sum[:])
	done := func(it itemInfo, beside bool, note string) source.Written {
		return source.Written{Name: it.Name, Location: it.WebURL, Version: it.ETag, SHA256: hexSum, Beside: beside, Note: note}
	}
	target := joinPath(folder, o.Name)
	var it itemInfo
	var err error
	var reason string
	if o.Replace {
		// Scratch output (a dry run's folder): whatever is there goes.
		if it, err = c.upload(ctx, driveID, target, o.Data, "", "replace"); err != nil {
			return source.Written{}, err
		}
		return done(it, false, ""), nil
	}
	if o.Previous != "" {
		it, err = c.upload(ctx, driveID, target, o.Data, o.Previous, "replace")
		if s := statusOf(err); s == http.StatusPreconditionFailed || s == http.StatusNotFound {
			// Changed or deleted since the bot wrote it: a deleted file may be
			// written again under its name, a changed one must be kept.
			it, err = c.upload(ctx, driveID, target, o.Data, "", "fail")
			if statusOf(err) == http.StatusConflict {
				reason = fmt.Sprintf("%s was changed after the bot wrote it", o.Name)
			}
		}
	} else {
		it, err = c.upload(ctx, driveID, target, o.Data, "", "fail")
		if statusOf(err) == http.StatusConflict {
			reason = fmt.Sprintf("%s already exists and the bot has no record of writing it", o.Name)
		}
	}
	if err == nil {
		return done(it, false, ""), nil
	}
	if reason == "" {
		return source.Written{}, err
	}
	ext := path.Ext(o.Name)
	base := strings.TrimSuffix(o.Name, ext)
	for i := 2; i < 2+maxBesideTries; i++ {
		cand := fmt.Sprintf("%s (%d)%s", base, i, ext)
		it, err = c.upload(ctx, driveID, joinPath(folder, cand), o.Data, "", "fail")
		if err == nil {
			return done(it, true, fmt.Sprintf("%s; kept it and wrote %s beside it", reason, cand)), nil
		}
		if statusOf(err) != http.StatusConflict {
			return source.Written{}, err
		}
	}
	return source.Written{}, fmt.Errorf("write %s: no free name beside it after %d tries", o.Name, maxBesideTries)
}

// upload writes data to p: a single PUT up to the threshold, an upload
// session above it. ifMatch guards a replace; behavior is Graph's
// conflictBehavior ("fail" or "replace").
func (c *Client) upload(ctx context.Context, driveID, p string, data []byte, ifMatch, behavior string) (itemInfo, error) {
	if int64(len(data)) <= c.cfg.UploadSessionThreshold {
		return c.put(ctx, driveID, p, data, ifMatch, behavior)
	}
	return c.session(ctx, driveID, p, data, ifMatch, behavior)
}

// put is Graph's simple upload, PUT …/root:/p:/content.
func (c *Client) put(ctx context.Context, driveID, p string, data []byte, ifMatch, behavior string) (itemInfo, error) {
	op := "upload " + p
	cfg := &drives.ItemItemsItemContentRequestBuilderPutRequestConfiguration{Headers: abs.NewRequestHeaders()}
	if ifMatch != "" {
		cfg.Headers.Add("If-Match", ifMatch)
	}
	info, err := c.gs.Drives().ByDriveId(driveID).Items().ByDriveItemId(pathRef(p)).Content().ToPutRequestInformation(ctx, data, cfg)
	if err != nil {
		return itemInfo{}, fmt.Errorf("graph: %s: %w", op, err)
	}
	// The generated builder has no conflictBehavior parameter; add it to the
	// expanded URL as Graph documents it.
	u, err := info.GetUri()
	if err != nil {
		return itemInfo{}, fmt.Errorf("graph: %s: %w", op, err)
	}
	u.RawQuery = conflictParam + "=" + url.QueryEscape(behavior)
	info.SetUri(*u)
	res, err := c.adapter.Send(ctx, info, models.CreateDriveItemFromDiscriminatorValue,
		abs.ErrorMappings{"XXX": odataerrors.CreateODataErrorFromDiscriminatorValue})
	if err != nil {
		return itemInfo{}, c.wrap(op, true, err)
	}
	it, ok := res.(models.DriveItemable)
	if !ok || it == nil {
		return itemInfo{}, fmt.Errorf("graph: %s: no driveItem in the answer", op)
	}
	return infoOf(it), nil
}

// session uploads through an upload session with our own fragment loop:
// msgraph-sdk-go-core's LargeFileUploadTask ignores the context, does not
// check the 320 KiB rule and carries on after a failed fragment. The
// session is deleted when anything goes wrong.
func (c *Client) session(ctx context.Context, driveID, p string, data []byte, ifMatch, behavior string) (it itemInfo, err error) {
	op := "upload session " + p
	props := models.NewDriveItemUploadableProperties()
	props.SetAdditionalData(map[string]any{conflictParam: behavior})
	body := drives.NewItemItemsItemCreateUploadSessionPostRequestBody()
	body.SetItem(props)
	cfg := &drives.ItemItemsItemCreateUploadSessionRequestBuilderPostRequestConfiguration{Headers: abs.NewRequestHeaders()}
	if ifMatch != "" {
		cfg.Headers.Add("If-Match", ifMatch)
	}
	sess, err := c.gs.Drives().ByDriveId(driveID).Items().ByDriveItemId(pathRef(p)).CreateUploadSession().Post(ctx, body, cfg)
	if err != nil {
		return itemInfo{}, c.wrap(op, true, err)
	}
	uploadURL := deref(sess.GetUploadUrl())
	if uploadURL == "" {
		return itemInfo{}, fmt.Errorf("graph: %s: no upload URL in the answer", op)
	}
	defer func() {
		if err != nil {
			c.cancelSession(ctx, uploadURL)
		}
	}()

	total := int64(len(data))
	var off int64
	resyncs := 0
	for {
		end := min(off+c.cfg.ChunkSize, total)
		resp, err := c.fragment(ctx, uploadURL, data[off:end], off, total)
		if err != nil {
			return itemInfo{}, c.wrap(op, true, err)
		}
		switch resp.StatusCode {
		case http.StatusAccepted:
			next, err := nextOffset(resp.Body, end)
			resp.Body.Close()
			if err != nil {
				return itemInfo{}, fmt.Errorf("graph: %s: %w", op, err)
			}
			off = next
		case http.StatusOK, http.StatusCreated:
			err := json.NewDecoder(resp.Body).Decode(&it)
			resp.Body.Close()
			if err == nil && it.ID == "" {
				err = errors.New("no driveItem in it")
			}
			if err != nil {
				return itemInfo{}, fmt.Errorf("graph: %s: read final answer: %w", op, err)
			}
			return it, nil
		case http.StatusRequestedRangeNotSatisfiable:
			// The server has other bytes than we think, typically because the
			// answer to a fragment it stored was lost: ask where it is.
			drain(resp)
			resyncs++
			if resyncs > maxResyncs {
				return itemInfo{}, fmt.Errorf("graph: %s: fragment ranges kept being refused", op)
			}
			next, err := c.sessionOffset(ctx, uploadURL)
			if err != nil {
				return itemInfo{}, c.wrap(op, true, err)
			}
			c.log.Debug("upload session resynchronised", "from", off, "to", next)
			off = next
		default:
			e := graphError(resp)
			resp.Body.Close()
			return itemInfo{}, c.wrap(op, true, e)
		}
		if off < 0 || off > total {
			return itemInfo{}, fmt.Errorf("graph: %s: server expects offset %d of %d", op, off, total)
		}
	}
}

// fragment PUTs one fragment to the pre-authenticated upload URL, without
// the bearer token.
func (c *Client) fragment(ctx context.Context, uploadURL string, chunk []byte, off, total int64) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, uploadURL, bytes.NewReader(chunk))
	if err != nil {
		return nil, errors.New("bad upload URL")
	}
	req.Header.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", off, off+int64(len(chunk))-1, total))
	return c.pacer.RoundTrip(req)
}

// sessionOffset asks the session for the next byte it expects.
func (c *Client) sessionOffset(ctx context.Context, uploadURL string) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, uploadURL, nil)
	if err != nil {
		return 0, errors.New("bad upload URL")
	}
	resp, err := c.pacer.RoundTrip(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, graphError(resp)
	}
	return nextOffset(resp.Body, -1)
}

// nextOffset reads nextExpectedRanges ("start-" or "start-end") and returns
// the lowest start; def when the list is empty.
func nextOffset(r io.Reader, def int64) (int64, error) {
	var st struct {
		NextExpectedRanges []string `json:"nextExpectedRanges"`
	}
	if err := json.NewDecoder(r).Decode(&st); err != nil {
		return 0, fmt.Errorf("read upload session status: %w", err)
	}
	if len(st.NextExpectedRanges) == 0 {
		if def < 0 {
			return 0, errors.New("upload session status has no nextExpectedRanges")
		}
		return def, nil
	}
	best := int64(-1)
	for _, rg := range st.NextExpectedRanges {
		a, _, _ := strings.Cut(rg, "-")
		n, err := strconv.ParseInt(a, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("upload session range %q: %w", rg, err)
		}
		if best < 0 || n < best {
			best = n
		}
	}
	return best, nil
}

// cancelSession deletes an unfinished upload session so its fragments do not
// linger, even when ctx is already cancelled.
func (c *Client) cancelSession(ctx context.Context, uploadURL string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, uploadURL, nil)
	if err != nil {
		return
	}
	resp, err := c.pacer.RoundTrip(req)
	if err != nil {
		c.log.Warn("cancel upload session", "err", err)
		return
	}
	drain(resp)
}

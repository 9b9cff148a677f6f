package sharepoint

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	abs "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoftgraph/msgraph-sdk-go/drives"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/sites"

	"tyomatka/internal/source"
)

// itemInfo is what the bot keeps of a driveItem.
type itemInfo struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	ETag   string `json:"eTag"`
	WebURL string `json:"webUrl"`
	Size   int64  `json:"size"`
	File   *struct {
		MimeType string `json:"mimeType"`
	} `json:"file"`
}

func infoOf(it models.DriveItemable) itemInfo {
	info := itemInfo{
		ID: deref(it.GetId()), Name: deref(it.GetName()), ETag: deref(it.GetETag()),
		WebURL: deref(it.GetWebUrl()), Size: deref(it.GetSize()),
	}
	if it.GetFile() != nil {
		info.File = &struct {
			MimeType string `json:"mimeType"`
		}{MimeType: deref(it.GetFile().GetMimeType())}
	}
	return info
}

// resolve looks up the site and the library once.
func (c *Client) resolve(ctx context.Context) (driveID string, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.driveID != "" {
		return c.driveID, nil
	}
	// The SDK has no site-by-path builder; Graph takes "host:/path:" where the
	// site id goes.
	site, err := c.gs.Sites().BySiteId(strings.TrimSuffix(c.cfg.Site, ":")+":").Get(ctx, nil)
	if err != nil {
		return "", c.wrap("get site "+c.cfg.Site, false, err)
	}
	c.siteID = deref(site.GetId())
	op := "list libraries of site " + c.cfg.Site
	resp, err := c.gs.Sites().BySiteId(c.siteID).Drives().Get(ctx, nil)
	for {
		if err != nil {
			return "", c.wrap(op, false, err)
		}
		for _, d := range resp.GetValue() {
			if strings.EqualFold(deref(d.GetName()), c.cfg.Drive) {
				c.driveID = deref(d.GetId())
				return c.driveID, nil
			}
		}
		next := deref(resp.GetOdataNextLink())
		if next == "" {
			break
		}
		resp, err = sites.NewItemDrivesRequestBuilder(next, c.adapter).Get(ctx, nil)
	}
	return "", fmt.Errorf("library %q on site %s: %w", c.cfg.Drive, c.cfg.Site, source.ErrNotFound)
}

// pathRef addresses an item by path where the SDK expects an item id.
func pathRef(p string) string { return "root:/" + strings.Trim(p, "/") + ":" }

// Tracking implements source.Source.
func (c *Client) Tracking(ctx context.Context) (source.File, error) {
	driveID, err := c.resolve(ctx)
	if err != nil {
		return source.File{}, err
	}
	it, err := c.gs.Drives().ByDriveId(driveID).Items().ByDriveItemId(pathRef(c.cfg.Tracking)).Get(ctx, nil)
	if err != nil {
		err = c.wrap("get tracking workbook "+c.cfg.Tracking, false, err)
		if errors.Is(err, source.ErrNotFound) {
			return source.File{}, fmt.Errorf("%w: check source.tracking in the configuration", err)
		}
		return source.File{}, err
	}
	dir, err := c.tempDir("tracking")
	if err != nil {
		return source.File{}, err
	}
	return c.download(ctx, driveID, infoOf(it), dir)
}

// Accruals implements source.Source.
func (c *Client) Accruals(ctx context.Context) ([]source.File, error) {
	driveID, err := c.resolve(ctx)
	if err != nil {
		return nil, err
	}
	op := "list accrual folder " + c.cfg.Accruals
	var items []itemInfo
	resp, err := c.gs.Drives().ByDriveId(driveID).Items().ByDriveItemId(pathRef(c.cfg.Accruals)).Children().Get(ctx, nil)
	for {
		if err != nil {
			err = c.wrap(op, false, err)
			if errors.Is(err, source.ErrNotFound) {
				return nil, fmt.Errorf("%w: create it and put Kela's monthly lists (.xlsx or .csv) in it", err)
			}
			return nil, err
		}
		for _, it := range resp.GetValue() {
			info := infoOf(it)
			if info.File == nil {
				continue
			}
			ok, err := source.AccrualName(info.Name)
			if err != nil {
				return nil, fmt.Errorf("accrual folder %s: %w", c.cfg.Accruals, err)
			}
			if ok {
				items = append(items, info)
			}
		}
		next := deref(resp.GetOdataNextLink())
		if next == "" {
			break
		}
		resp, err = drives.NewItemItemsItemChildrenRequestBuilder(next, c.adapter).Get(ctx, nil)
	}
	sort.Slice(items, func(i, j int) bool { return items[i].Name < items[j].Name })
	dir, err := c.tempDir("accruals")
	if err != nil {
		return nil, err
	}
	files := make([]source.File, 0, len(items))
	for _, it := range items {
		f, err := c.download(ctx, driveID, it, dir)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	return files, nil
}

func (c *Client) tempDir(sub string) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tmp == "" {
		if c.cfg.TempDir != "" {
			c.tmp = c.cfg.TempDir
		} else {
			d, err := source.PrivateTempDir("tyomatka-sharepoint-")
			if err != nil {
				return "", fmt.Errorf("create download folder: %w", err)
			}
			c.tmp, c.ownTmp = d, true
		}
	}
	dir := filepath.Join(c.tmp, sub)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("create download folder: %w", err)
	}
	return dir, nil
}

// errShort marks a download that ended before all its bytes arrived.
var errShort = errors.New("download ended early")

// download fetches an item's content into dir, hashing as it goes. A
// download that ends early is fetched again from the start; the partial file
// is never handed on.
func (c *Client) download(ctx context.Context, driveID string, it itemInfo, dir string) (source.File, error) {
	name := filepath.Base(filepath.Clean("/" + it.Name))
	dst := filepath.Join(dir, name)
	var sum string
	var n int64
	err := c.retryShort(ctx, "download "+name, func() (err error) {
		sum, n, err = c.fetch(ctx, driveID, it, dst)
		return err
	})
	if err != nil {
		return source.File{}, err
	}
	return source.File{
		Name: name, Path: dst, Location: it.WebURL, ID: it.ID, Version: it.ETag,
		SHA256: sum, Size: n,
	}, nil
}

// retryShort runs attempt until it succeeds, fails for another reason than
// a download that ended early, or MaxRetryTime is spent. The pacer retries
// throttled and failed requests; this loop covers a 200 whose body broke off.
func (c *Client) retryShort(ctx context.Context, op string, attempt func() error) error {
	start := time.Now()
	for n := 0; ; n++ {
		err := attempt()
		if err == nil {
			return nil
		}
		if !errors.Is(err, errShort) {
			return c.wrap(op, false, err)
		}
		wait := backoff(n)
		if time.Since(start)+wait > c.cfg.MaxRetryTime {
			return fmt.Errorf("graph: %s: gave up after %d attempts: %w", op, n+1, err)
		}
		c.pacer.retries.Add(1)
		c.log.Warn("download ended early; fetching again", "op", op, "attempt", n+1, "err", err)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
	}
}

// fetch makes one attempt into file dst, hashing as it writes.
func (c *Client) fetch(ctx context.Context, driveID string, it itemInfo, dst string) (sum string, n int64, err error) {
	f, err := os.OpenFile(dst, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return "", 0, fmt.Errorf("create %s: %w", dst, err)
	}
	defer func() {
		if cerr := f.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("write %s: %w", dst, cerr)
		}
		if err != nil {
			_ = os.Remove(dst)
		}
	}()
	h := sha256.New()
	if n, err = c.content(ctx, driveID, it, io.MultiWriter(f, h), 0); err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// content makes one download attempt of an item's content into w. The SDK
// builds the content request; a response handler streams the body to w
// instead of the SDK reading it all into memory. A body that ends early is an
// errShort, never a result; limit > 0 refuses a body longer than limit.
func (c *Client) content(ctx context.Context, driveID string, it itemInfo, w io.Writer, limit int64) (n int64, err error) {
	var handlerErr error
	handler := abs.NewRequestHandlerOption()
	handler.SetResponseHandler(func(r any, _ abs.ErrorMappings) (any, error) {
		resp, ok := r.(*http.Response)
		if !ok {
			handlerErr = fmt.Errorf("unexpected response type %T", r)
			return nil, handlerErr
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			handlerErr = graphError(resp)
			return nil, handlerErr
		}
		body := io.Reader(resp.Body)
		if limit > 0 {
			body = io.LimitReader(resp.Body, limit+1)
		}
		n, handlerErr = io.Copy(w, body)
		switch {
		case handlerErr != nil:
			handlerErr = fmt.Errorf("%w after %d bytes: %w", errShort, n, handlerErr)
		case limit > 0 && n > limit:
			handlerErr = fmt.Errorf("more than %d bytes", limit)
		case resp.ContentLength >= 0 && n != resp.ContentLength:
			handlerErr = fmt.Errorf("%w: %d of %d bytes", errShort, n, resp.ContentLength)
		case resp.ContentLength < 0 && it.Size > 0 && n != it.Size:
			handlerErr = fmt.Errorf("%w: %d of %d bytes", errShort, n, it.Size)
		}
		return nil, handlerErr
	})
	cfg := &drives.ItemItemsItemContentRequestBuilderGetRequestConfiguration{Options: []abs.RequestOption{handler}}
	_, err = c.gs.Drives().ByDriveId(driveID).Items().ByDriveItemId(it.ID).Content().Get(ctx, cfg)
	if handlerErr != nil {
		return 0, handlerErr
	}
	return n, err
}

// graphError reads Graph's error JSON from a raw response.
func graphError(resp *http.Response) *Error {
	e := &Error{Status: resp.StatusCode}
	var body struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if json.Unmarshal(b, &body) == nil {
		e.Code, e.Message = body.Error.Code, body.Error.Message
	}
	return e
}

// joinPath joins drive paths.
func joinPath(elem ...string) string { return strings.Trim(path.Join(elem...), "/") }

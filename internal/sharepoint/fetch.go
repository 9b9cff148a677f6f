package sharepoint

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	abs "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoftgraph/msgraph-sdk-go/drives"

	"tyomatka/internal/source"
)

// maxFetchSize bounds what Fetch holds in memory: it reads back the bot's own
// outputs, which are far smaller; anything bigger is not one of them.
const maxFetchSize = 256 << 20

var _ source.Fetcher = (*Client)(nil)

// Fetch implements source.Fetcher: it reads file name in folder dir under
// the output folder and returns its bytes and eTag, the version Write
// reports.
//
// The eTag is taken from the item before its content is downloaded. If
// someone saves the file in between, the eTag is older than the bytes; the
// ledger then uses it as If-Match, which fails with 412 and the output goes
// beside the file. A stale eTag can make the bot keep a file, never
// overwrite one.
func (c *Client) Fetch(ctx context.Context, dir, name string) ([]byte, string, error) {
	driveID, err := c.resolve(ctx)
	if err != nil {
		return nil, "", err
	}
	p := joinPath(c.cfg.Output, dir, name)
	op := "read back " + p
	got, err := c.gs.Drives().ByDriveId(driveID).Items().ByDriveItemId(pathRef(p)).Get(ctx, nil)
	if err != nil {
		return nil, "", c.wrap(op, false, err)
	}
	it := infoOf(got)
	if it.File == nil {
		return nil, "", fmt.Errorf("graph: %s: a folder, not a file: %w", op, source.ErrNotFound)
	}
	if it.Size > maxFetchSize {
		return nil, "", fmt.Errorf("graph: %s: %d bytes is more than an output of the bot can be", op, it.Size)
	}
	start := time.Now()
	for attempt := 0; ; attempt++ {
		data, err := c.fetchBytes(ctx, driveID, it)
		if err == nil {
			return data, it.ETag, nil
		}
		if !errors.Is(err, errShort) {
			return nil, "", c.wrap(op, false, err)
		}
		wait := backoff(attempt)
		if time.Since(start)+wait > c.cfg.MaxRetryTime {
			return nil, "", fmt.Errorf("graph: %s: gave up after %d attempts: %w", op, attempt+1, err)
		}
		c.pacer.retries.Add(1)
		c.log.Warn("read-back ended early; fetching again", "attempt", attempt+1, "err", err)
		select {
		case <-ctx.Done():
			return nil, "", ctx.Err()
		case <-time.After(wait):
		}
	}
}

// fetchBytes makes one download attempt into memory. Like fetch, it takes
// the response itself so the SDK does not buffer a second copy, and a body
// that ends early is an errShort, never a result.
func (c *Client) fetchBytes(ctx context.Context, driveID string, it itemInfo) ([]byte, error) {
	var buf bytes.Buffer
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
		buf.Grow(int(min(max(it.Size, resp.ContentLength, 0), maxFetchSize)))
		n, err := io.Copy(&buf, io.LimitReader(resp.Body, maxFetchSize+1))
		switch {
		case err != nil:
			handlerErr = fmt.Errorf("%w after %d bytes: %w", errShort, n, err)
		case n > maxFetchSize:
			handlerErr = fmt.Errorf("more than %d bytes", maxFetchSize)
		case resp.ContentLength >= 0 && n != resp.ContentLength:
			handlerErr = fmt.Errorf("%w: %d of %d bytes", errShort, n, resp.ContentLength)
		case resp.ContentLength < 0 && it.Size > 0 && n != it.Size:
			handlerErr = fmt.Errorf("%w: %d of %d bytes", errShort, n, it.Size)
		}
		return nil, handlerErr
	})
	cfg := &drives.ItemItemsItemContentRequestBuilderGetRequestConfiguration{Options: []abs.RequestOption{handler}}
	_, err := c.gs.Drives().ByDriveId(driveID).Items().ByDriveItemId(it.ID).Content().Get(ctx, cfg)
	if handlerErr != nil {
		return nil, handlerErr
	}
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

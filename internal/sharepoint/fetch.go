package sharepoint

import (
	"bytes"
	"context"
	"fmt"

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
	var buf bytes.Buffer
	err = c.retryShort(ctx, op, func() error {
		buf.Reset()
		buf.Grow(int(min(max(it.Size, 0), maxFetchSize)))
		_, err := c.content(ctx, driveID, it, &buf, maxFetchSize)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	return buf.Bytes(), it.ETag, nil
}

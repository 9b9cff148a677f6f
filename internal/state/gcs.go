package state

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"cloud.google.com/go/storage"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/iterator"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// GCS is a Store in a Cloud Storage bucket, below a prefix. Compare-and-swap
// is Cloud Storage's own: every write carries ifGenerationMatch (0 for a
// create), so it holds across Cloud Run tasks and executions.
type GCS struct {
	client *storage.Client
	bucket string
	prefix string // "" or ends with "/"

	bucketSeen atomic.Bool // the bucket answered a list: absence means no object

	// CustomTime, when set, is stamped on every object written. The bucket's
	// lifecycle rule deletes objects whose Custom-Time has passed, which is how
	// the register's deletion date (31.1.2031) reaches every object: Cloud
	// Storage has no "delete everything on date X" condition of its own.
	CustomTime time.Time
}

var _ Store = (*GCS)(nil)

// NewGCS returns a store on bucket; object name n is stored as prefix+"/"+n
// (prefix "" stores at the bucket's root; a trailing "/" is optional). The
// caller owns client and closes it.
func NewGCS(client *storage.Client, bucket, prefix string) *GCS {
	prefix = strings.Trim(prefix, "/")
	if prefix != "" {
		prefix += "/"
	}
	return &GCS{client: client, bucket: bucket, prefix: prefix}
}

func (g *GCS) object(name string) *storage.ObjectHandle {
	return g.client.Bucket(g.bucket).Object(g.prefix + name)
}

// Get implements Store. Data and generation come from one request, so they
// always belong together.
func (g *GCS) Get(ctx context.Context, name string) ([]byte, Generation, error) {
	if err := checkName(name); err != nil {
		return nil, 0, fmt.Errorf("state: get %q: %w", name, err)
	}
	r, err := g.object(name).NewReader(ctx)
	if err != nil {
		err = mapGCSError(err)
		if errors.Is(err, ErrNotFound) {
			// The read API answers a missing bucket like a missing object. A
			// ledger in a misspelt bucket must not read as "nothing billed yet".
			if berr := g.checkBucket(ctx); berr != nil {
				return nil, 0, fmt.Errorf("state: get %q from gs://%s: %w", name, g.bucket, berr)
			}
		}
		return nil, 0, fmt.Errorf("state: get %q from gs://%s: %w", name, g.bucket, err)
	}
	defer r.Close()
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, 0, fmt.Errorf("state: get %q from gs://%s: %w", name, g.bucket, mapGCSError(err))
	}
	return data, Generation(r.Attrs.Generation), nil
}

// Put implements Store.
func (g *GCS) Put(ctx context.Context, name string, data []byte, ifGen Generation) (Generation, error) {
	if err := checkName(name); err != nil {
		return 0, fmt.Errorf("state: put %q: %w", name, err)
	}
	if ifGen < 0 {
		return 0, fmt.Errorf("state: put %q: negative generation %d", name, ifGen)
	}
	cond := storage.Conditions{GenerationMatch: int64(ifGen)}
	if ifGen == 0 {
		cond = storage.Conditions{DoesNotExist: true}
	}
	// A cancelled ctx aborts the upload; nothing is written then.
	w := g.object(name).If(cond).NewWriter(ctx)
	w.ContentType = contentType(name)
	if !g.CustomTime.IsZero() {
		w.CustomTime = g.CustomTime
	}
	// One request, but buffered so that the client may retry it (conditional
	// writes are idempotent, so it does); the default 16 MiB buffer per write
	// would be waste for objects this small.
	w.ChunkSize = len(data) + 1
	if _, err := w.Write(data); err != nil {
		w.Close()
		return 0, fmt.Errorf("state: put %q to gs://%s: %w", name, g.bucket, mapGCSError(err))
	}
	// The upload's outcome, the precondition included, surfaces at Close.
	if err := w.Close(); err != nil {
		return 0, fmt.Errorf("state: put %q to gs://%s: %w", name, g.bucket, mapGCSError(err))
	}
	return Generation(w.Attrs().Generation), nil
}

// Delete implements Store.
//
// It names the generation as well as the precondition: Cloud Storage checks
// ifGenerationMatch against the live object, and pinning the generation
// means that even a server ignoring the precondition (fake-gcs-server 1.56
// does, on delete) can only remove the version the caller read. Without
// versioning that version is gone once replaced, which the server reports as
// 404; Delete then tells a stale generation from a missing object.
func (g *GCS) Delete(ctx context.Context, name string, ifGen Generation) error {
	if err := checkName(name); err != nil {
		return fmt.Errorf("state: delete %q: %w", name, err)
	}
	if ifGen <= 0 {
		return fmt.Errorf("state: delete %q: generation %d is not positive", name, ifGen)
	}
	obj := g.object(name)
	err := obj.Generation(int64(ifGen)).If(storage.Conditions{GenerationMatch: int64(ifGen)}).Delete(ctx)
	if err == nil {
		return nil
	}
	err = mapGCSError(err)
	if errors.Is(err, ErrNotFound) {
		attrs, aerr := obj.Attrs(ctx)
		switch {
		case aerr == nil:
			return fmt.Errorf("state: delete %q from gs://%s: generation is %d, caller read %d: %w", name, g.bucket, attrs.Generation, ifGen, ErrPrecondition)
		case !errors.Is(mapGCSError(aerr), ErrNotFound):
			return fmt.Errorf("state: delete %q from gs://%s: %w", name, g.bucket, mapGCSError(aerr))
		}
	}
	return fmt.Errorf("state: delete %q from gs://%s: %w", name, g.bucket, err)
}

// List implements Store.
func (g *GCS) List(ctx context.Context, prefix string) ([]string, error) {
	q := &storage.Query{Prefix: g.prefix + prefix}
	if err := q.SetAttrSelection([]string{"Name"}); err != nil {
		return nil, fmt.Errorf("state: list %q: %w", prefix, err)
	}
	it := g.client.Bucket(g.bucket).Objects(ctx, q)
	var names []string
	for {
		attrs, err := it.Next()
		if errors.Is(err, iterator.Done) {
			break
		}
		if err != nil {
			// Not mapped: a missing bucket must not read as "no objects".
			return nil, fmt.Errorf("state: list %q in gs://%s: %w", prefix, g.bucket, err)
		}
		names = append(names, strings.TrimPrefix(attrs.Name, g.prefix))
	}
	// The JSON API lists in name order already; sorting keeps the contract
	// independent of the transport.
	slices.Sort(names)
	return names, nil
}

// checkBucket lists at most one object to prove that the bucket exists and
// is readable; listing needs only the object-level permission the store needs
// anyway, unlike reading the bucket's metadata. A success is remembered.
func (g *GCS) checkBucket(ctx context.Context) error {
	if g.bucketSeen.Load() {
		return nil
	}
	it := g.client.Bucket(g.bucket).Objects(ctx, &storage.Query{Prefix: g.prefix})
	it.PageInfo().MaxSize = 1
	if _, err := it.Next(); err != nil && !errors.Is(err, iterator.Done) {
		return fmt.Errorf("check bucket: %w", err)
	}
	g.bucketSeen.Store(true)
	return nil
}

// mapGCSError adds our sentinels to the client's errors, for both of its
// transports: JSON (googleapi.Error with an HTTP status) and gRPC (status
// codes). The original error stays in the chain.
func mapGCSError(err error) error {
	if errors.Is(err, storage.ErrObjectNotExist) {
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	var gerr *googleapi.Error
	if errors.As(err, &gerr) {
		switch gerr.Code {
		case http.StatusPreconditionFailed:
			return fmt.Errorf("%w: %w", ErrPrecondition, err)
		case http.StatusNotFound:
			return fmt.Errorf("%w: %w", ErrNotFound, err)
		}
	}
	switch status.Code(err) {
	case codes.FailedPrecondition:
		return fmt.Errorf("%w: %w", ErrPrecondition, err)
	case codes.NotFound:
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	return err
}

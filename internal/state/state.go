// Package state is where the bot keeps what must survive between runs: the
// ledger and the audit records of spec §8. It offers one small interface,
// Store, with two implementations: Local (a folder, for development and
// on-premises runs) and GCS (a Cloud Storage bucket, for Cloud Run).
//
// Every write is a compare-and-swap on the object's generation, so two runs
// racing for the same ledger cannot both win: the loser gets ErrPrecondition,
// fails cleanly, and a retry (which re-reads) succeeds. Audit records need no
// append primitive: each run creates its own object with ifGen 0.
package state

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"
	"unicode/utf8"
)

// maxNameBytes is Cloud Storage's limit on object names; Local applies it too
// so that a name valid on one store is valid on the other.
const maxNameBytes = 1024

// Generation identifies one version of one object. It is positive for an
// object that exists. Generations of a name only ever grow, also across a
// delete and re-create, so a writer holding an old generation can never match
// a newer object by accident. Callers must treat it as opaque: it is not a
// count of writes (on Cloud Storage it is a timestamp-like number).
type Generation int64

// Sentinel errors; implementations wrap them with the object's name, so check
// them with errors.Is.
var (
	// ErrNotFound: the object does not exist.
	ErrNotFound = errors.New("object not found")
	// ErrPrecondition: the object's generation is not the one the caller read
	// (someone else wrote or deleted it, or it exists when it must not).
	ErrPrecondition = errors.New("generation precondition failed")
	// ErrInvalidName: the name is not a valid object name (see Store).
	ErrInvalidName = errors.New("invalid object name")
)

// Store is a flat namespace of small objects ("ledger/2026-05.json",
// "audit/2026-05/<run id>.json") with optimistic concurrency.
//
// A name is one or more segments joined by "/"; a segment is non-empty, does
// not start with "." (so "..", "." and hidden files are out) and holds no NUL
// byte; the whole name is valid UTF-8 of at most 1024 bytes. A name cannot be
// both an object and a prefix of another object's folder ("a" and "a/b") on
// Local; keep names of one kind at one depth.
//
// A caller may rely on:
//   - Get and List see only complete writes: never a partly written object.
//   - A Put or Delete whose precondition fails changes nothing.
//   - Of several writers that read the same generation, at most one Put
//     succeeds, across goroutines, processes and machines sharing the store.
//   - A rare exception on Cloud Storage: a Put whose request the client
//     retried after the first attempt had already landed reports
//     ErrPrecondition although the data is stored. Callers re-read and
//     recompute on ErrPrecondition anyway, which makes this harmless.
//
// Per-call timeouts come from ctx.
type Store interface {
	// Get returns the object's bytes and its generation; ErrNotFound when
	// it does not exist.
	Get(ctx context.Context, name string) ([]byte, Generation, error)
	// Put writes data if the object's current generation is ifGen; ifGen 0
	// means "must not exist". It returns the new generation, which is greater
	// than any generation the name had before. On a mismatch it returns
	// ErrPrecondition (wrapped, naming the object) and writes nothing.
	Put(ctx context.Context, name string, data []byte, ifGen Generation) (Generation, error)
	// Delete removes the object if its generation is ifGen (which must be
	// positive): ErrNotFound when it does not exist, ErrPrecondition when it
	// has another generation.
	Delete(ctx context.Context, name string, ifGen Generation) error
	// List returns the names of the objects whose name starts with prefix,
	// sorted bytewise. The prefix is a plain string prefix ("ledger/" or
	// "ledger/2026-"), and "" lists everything.
	List(ctx context.Context, prefix string) ([]string, error)
}

// checkName enforces the naming rule documented on Store.
func checkName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("%w: empty", ErrInvalidName)
	case len(name) > maxNameBytes:
		return fmt.Errorf("%w: %d bytes, limit %d", ErrInvalidName, len(name), maxNameBytes)
	case !utf8.ValidString(name):
		return fmt.Errorf("%w: %q is not UTF-8", ErrInvalidName, name)
	case strings.ContainsRune(name, 0):
		return fmt.Errorf("%w: %q holds a NUL byte", ErrInvalidName, name)
	}
	for _, seg := range strings.Split(name, "/") {
		if seg == "" || strings.HasPrefix(seg, ".") {
			return fmt.Errorf("%w: %q (segments must be non-empty and not start with \".\")", ErrInvalidName, name)
		}
	}
	return nil
}

// contentType labels objects for people browsing the bucket; the store
// itself treats every object as opaque bytes.
func contentType(name string) string {
	if path.Ext(name) == ".json" {
		return "application/json"
	}
	return "application/octet-stream"
}

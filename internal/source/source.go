// Package source defines where a run's inputs come from and where its outputs
// go, and implements the local-folder kind. SharePoint (package sharepoint)
// implements the same interfaces; the run pipeline sees only these.
package source

import (
	"context"
	"errors"
)

// File is one input file, made available as a local file to read from.
// Remote sources download into a temporary folder first, so every reader
// works on a seekable file and a download that ended early is never parsed.
type File struct {
	Name     string // base name, e.g. "kelmu_2026-03.csv"; used in findings
	Path     string // local file to read
	Location string // where it lives for a person: a path or a SharePoint URL
	ID       string // source-specific id (Graph driveItem id); "" locally
	Version  string // source version: Graph eTag; locally size and mtime
	SHA256   string // hex digest of the bytes read
	Size     int64
}

// Source lists and fetches a run's inputs.
type Source interface {
	// Tracking returns the tracking workbook.
	Tracking(ctx context.Context) (File, error)
	// Accruals returns every .xlsx and .csv accrual list, in name order.
	Accruals(ctx context.Context) ([]File, error)
	// Close removes any temporary copies.
	Close() error
}

// Output is one file a run writes.
type Output struct {
	Name string
	Data []byte
	// Previous is the version the bot recorded when it last wrote this name
	// ("" when it never did). A sink replaces an existing file only when its
	// current version is still Previous; otherwise someone changed it (finance
	// typing into Hyväksyntä, say) and the sink writes beside it.
	Previous string
	// Replace writes over whatever is there. Only for scratch output: a dry
	// run's own folder, or a folder named with --out. Never for a period's
	// real outputs, which finance may be typing into.
	Replace bool
}

// Written says where an output ended up.
type Written struct {
	Name     string // the name actually written (differs when written beside)
	Location string
	Version  string // version after the write (eTag, or size+mtime locally)
	SHA256   string
	Beside   bool   // true when an existing, changed file was kept and this was written beside it
	Note     string // English, for the log: why it was written beside
}

// Sink stores a run's outputs.
type Sink interface {
	// Write stores every output in folder dir (relative to the sink's root;
	// "" for the root). It writes each file atomically: a reader sees the old
	// file or the new one, never a part. Local writes the set all or
	// nothing; SharePoint writes one file after another, so a failure can
	// leave the first files of a set, which the rerun then replaces (the
	// run recognises them by their bytes).
	Write(ctx context.Context, dir string, outs []Output) ([]Written, error)
}

// ErrNotFound is returned when a configured input does not exist.
var ErrNotFound = errors.New("not found")

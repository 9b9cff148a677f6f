package gen_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"tyomatka/internal/gen"
)

// TestScale runs the generator with the flags in TYOMATKA_GEN_ARGS, for
// measuring national-scale runs with a built test binary:
//
//	go test -c -o /tmp/gen.test ./internal/gen
//	TYOMATKA_GEN_ARGS="-clients 100000 -months 12 -last 2026-10 -format csv -out /tmp/gen100k" \
//	  /usr/bin/time -v /tmp/gen.test -test.run TestScale -test.v
func TestScale(t *testing.T) {
	args := os.Getenv("TYOMATKA_GEN_ARGS")
	if args == "" {
		t.Skip("TYOMATKA_GEN_ARGS not set")
	}
	if err := gen.Command(context.Background(), strings.Fields(args), os.Stdout, os.Stderr); err != nil {
		t.Fatal(err)
	}
}

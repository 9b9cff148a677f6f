package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"

	"tyomatka/internal/config"
	"tyomatka/internal/gen"
	"tyomatka/internal/logging"
	"tyomatka/internal/secrets"
)

func openSecrets(ctx context.Context, cfg *config.Config, getenv func(string) string) (secrets.Store, error) {
	s, err := secrets.Open(ctx, cfg.Secrets.Kind, getenv)
	if err != nil {
		return nil, fmt.Errorf("config %s: secrets: %w", cfg.Path, err)
	}
	return s, nil
}

func cmdGenerate(ctx context.Context, args []string, stdout io.Writer) error {
	return gen.Command(ctx, args, stdout)
}

// newLogger returns the run's logger: Cloud Logging JSON on Cloud Run or when
// not on a terminal, readable text on a terminal, unless format says.
func newLogger(w io.Writer, format string, getenv func(string) string) *slog.Logger {
	if format == "" {
		format = logging.FormatText
		if f, ok := w.(*os.File); ok {
			format = logging.Auto(f, getenv)
		}
	}
	return logging.New(w, format, slog.LevelInfo).With(logging.Labels(getenv)...)
}

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"

	"cloud.google.com/go/civil"

	"tyomatka/internal/cloudrun"
	"tyomatka/internal/config"
	"tyomatka/internal/period"
)

// cmdRunAll is the Cloud Run job's entry point: every configuration in the
// jobs folder is an area, and each task of the job runs its share of them
// (CLOUD_RUN_TASK_INDEX of CLOUD_RUN_TASK_COUNT). A retried task runs the same
// share and, runs being pure functions of their inputs, gives the same result.
func cmdRunAll(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	fs := newFlagSet("run-all", "[--jobs DIR] [--areas a,b] [--period YYYY-MM] [--as-of YYYY-MM-DD] [--dry-run]", stderr)
	dir := fs.String("jobs", getenvDefault(getenv, "TYOMATKA_JOBS_DIR", "jobs"), "`folder` of area configurations (*.toml)")
	areasFlag := fs.String("areas", getenv("TYOMATKA_AREAS"), "comma-separated `areas` to run (default: every configuration in the folder)")
	// Checked here as well as in each run: a typo must be one usage error,
	// not every area failing.
	var pass []string
	passFlag := func(name, help string, check func(string) error) {
		fs.Func(name, help, func(v string) error {
			if err := check(v); err != nil {
				return err
			}
			pass = append(pass, "--"+name, v)
			return nil
		})
	}
	passFlag("period", "billing month `YYYY-MM` for each run (default: the month before the as-of date)", func(v string) error {
		if _, err := period.Parse(v); err != nil {
			return fmt.Errorf("want YYYY-MM with month 01-12")
		}
		return nil
	})
	passFlag("as-of", "run date `YYYY-MM-DD` for each run (default: today in Europe/Helsinki)", func(v string) error {
		if _, err := civil.ParseDate(v); err != nil {
			return fmt.Errorf("want YYYY-MM-DD")
		}
		return nil
	})
	passFlag("log", logHelp, func(v string) error {
		if checkLog("run-all", v) != nil {
			return fmt.Errorf("want json or text")
		}
		return nil
	})
	dryRun := fs.Bool("dry-run", false, "compute and write each area's outputs, but record nothing in the ledger")
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	if *dryRun {
		pass = append(pass, "--dry-run")
	}
	task, err := cloudrun.TaskFromEnv(getenv)
	if err != nil {
		return usageError{err.Error()}
	}
	configs, err := areaConfigs(*dir, *areasFlag)
	if err != nil {
		return err
	}
	areas := make([]string, 0, len(configs))
	for a := range configs {
		areas = append(areas, a)
	}
	mine := task.Share(areas)
	fmt.Fprintf(stdout, "Task %d of %d (attempt %d): areas %s\n", task.Index+1, task.Count, task.Attempt, strings.Join(mine, ", "))
	var failed []string
	var errs []error
	for _, area := range mine {
		if err := ctx.Err(); err != nil {
			return err // SIGTERM: stop, and say so (exit 130), not "area failed"
		}
		err := cmdRun(ctx, append([]string{"--config", configs[area]}, pass...), stdout, stderr, getenv)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			errs = append(errs, err)
			// One area's failure must not stop the others; the task still fails
			// so that Cloud Run retries it (a retry recomputes the same result).
			fmt.Fprintf(stderr, "tyomatka: error: area %s: %v\n", area, err)
			failed = append(failed, area)
		}
	}
	if len(failed) > 0 {
		// The joined errors keep their kinds, so a configuration error in one
		// area still exits 2 (nothing a retry would fix).
		return fmt.Errorf("run-all: %d of %d areas failed: %s: %w", len(failed), len(mine), strings.Join(failed, ", "), errors.Join(errs...))
	}
	return nil
}

// areaConfigs maps each area to its configuration file, checking that no two
// files claim the same area.
func areaConfigs(dir, only string) (map[string]string, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.toml"))
	if err != nil {
		return nil, err
	}
	if len(paths) == 0 {
		return nil, usageError{fmt.Sprintf("run-all: no *.toml configurations in %s", dir)}
	}
	sort.Strings(paths)
	want := map[string]bool{}
	for _, a := range strings.Split(only, ",") {
		if a = strings.TrimSpace(a); a != "" {
			want[a] = true
		}
	}
	out := map[string]string{}
	for _, p := range paths {
		cfg, err := config.Load(p)
		if err != nil {
			return nil, err
		}
		if prev, dup := out[cfg.Area]; dup {
			return nil, &config.Error{File: p, Key: "area", Err: fmt.Errorf("%w: area %q is also configured in %s", config.ErrInvalid, cfg.Area, prev)}
		}
		if len(want) == 0 || want[cfg.Area] {
			out[cfg.Area] = p
		}
	}
	for a := range want {
		if _, ok := out[a]; !ok {
			return nil, usageError{fmt.Sprintf("run-all: area %q has no configuration in %s", a, dir)}
		}
	}
	return out, nil
}

func getenvDefault(getenv func(string) string, key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}

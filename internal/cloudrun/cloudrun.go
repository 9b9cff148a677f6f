// Package cloudrun reads a Cloud Run job task's identity from the environment
// the platform sets, and splits the configured areas between the tasks of one
// execution so that every area is handled by exactly one task.
package cloudrun

import (
	"fmt"
	"slices"
	"strconv"
)

// Environment variables Cloud Run sets in every task of a job execution.
// See https://cloud.google.com/run/docs/container-contract#jobs-env-vars.
const (
	EnvTaskIndex   = "CLOUD_RUN_TASK_INDEX"
	EnvTaskCount   = "CLOUD_RUN_TASK_COUNT"
	EnvTaskAttempt = "CLOUD_RUN_TASK_ATTEMPT"
	EnvJob         = "CLOUD_RUN_JOB"
	EnvExecution   = "CLOUD_RUN_EXECUTION"
)

// Task is one task of a job execution. Outside Cloud Run it is the only task:
// Index 0 of Count 1, first attempt.
type Task struct {
	Index     int    // 0-based position of this task in the execution
	Count     int    // number of tasks in the execution, at least 1
	Attempt   int    // 0 on the first try, incremented on each retry
	Job       string // job name; empty outside Cloud Run
	Execution string // execution name; empty outside Cloud Run
}

// TaskFromEnv reads the task from getenv (os.Getenv in production). Unset
// variables take the single-task defaults; a value that is not a valid number
// is an error naming the variable, because guessing would silently make two
// tasks bill the same area or leave one out.
func TaskFromEnv(getenv func(string) string) (Task, error) {
	t := Task{
		Index:     0,
		Count:     1,
		Attempt:   0,
		Job:       getenv(EnvJob),
		Execution: getenv(EnvExecution),
	}
	for _, f := range []struct {
		name string
		dst  *int
		min  int
	}{
		{EnvTaskIndex, &t.Index, 0},
		{EnvTaskCount, &t.Count, 1},
		{EnvTaskAttempt, &t.Attempt, 0},
	} {
		s := getenv(f.name)
		if s == "" {
			continue
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			return Task{}, fmt.Errorf("cloudrun: %s=%q is not a whole number", f.name, s)
		}
		if n < f.min {
			return Task{}, fmt.Errorf("cloudrun: %s=%d is below %d", f.name, n, f.min)
		}
		*f.dst = n
	}
	if t.Index >= t.Count {
		return Task{}, fmt.Errorf("cloudrun: %s=%d is not below %s=%d", EnvTaskIndex, t.Index, EnvTaskCount, t.Count)
	}
	return t, nil
}

// Share returns the areas this task handles: the areas sorted and without
// duplicates, area i going to task i % Count. The split depends only on the
// set of areas and the task's Index and Count, never on the input order or the
// attempt, so a retried task takes exactly the areas of the failed one. A
// task with nothing to do gets an empty slice (more tasks than areas).
func (t Task) Share(areas []string) []string {
	sorted := slices.Clone(areas)
	slices.Sort(sorted)
	sorted = slices.Compact(sorted)
	count := max(t.Count, 1)
	share := []string{}
	for i, a := range sorted {
		if i%count == t.Index {
			share = append(share, a)
		}
	}
	return share
}

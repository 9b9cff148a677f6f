package cloudrun_test

import (
	"slices"
	"strings"
	"testing"

	"tyomatka/internal/cloudrun"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestTaskFromEnv(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		want    cloudrun.Task
		wantErr string // substring of the error; "" means no error
	}{
		{
			name: "outside Cloud Run",
			env:  nil,
			want: cloudrun.Task{Index: 0, Count: 1, Attempt: 0},
		},
		{
			name: "third task of four, retried",
			env: map[string]string{
				"CLOUD_RUN_TASK_INDEX":   "2",
				"CLOUD_RUN_TASK_COUNT":   "4",
				"CLOUD_RUN_TASK_ATTEMPT": "1",
				"CLOUD_RUN_JOB":          "tyomatka",
				"CLOUD_RUN_EXECUTION":    "tyomatka-abc12",
			},
			want: cloudrun.Task{Index: 2, Count: 4, Attempt: 1, Job: "tyomatka", Execution: "tyomatka-abc12"},
		},
		{
			name:    "index not a number",
			env:     map[string]string{"CLOUD_RUN_TASK_INDEX": "x"},
			wantErr: "CLOUD_RUN_TASK_INDEX",
		},
		{
			name:    "count not a number",
			env:     map[string]string{"CLOUD_RUN_TASK_COUNT": "2.5"},
			wantErr: "CLOUD_RUN_TASK_COUNT",
		},
		{
			name:    "attempt not a number",
			env:     map[string]string{"CLOUD_RUN_TASK_ATTEMPT": "first"},
			wantErr: "CLOUD_RUN_TASK_ATTEMPT",
		},
		{
			name:    "count zero",
			env:     map[string]string{"CLOUD_RUN_TASK_COUNT": "0"},
			wantErr: "CLOUD_RUN_TASK_COUNT",
		},
		{
			name:    "negative index",
			env:     map[string]string{"CLOUD_RUN_TASK_INDEX": "-1"},
			wantErr: "CLOUD_RUN_TASK_INDEX",
		},
		{
			name:    "index beyond count",
			env:     map[string]string{"CLOUD_RUN_TASK_INDEX": "3", "CLOUD_RUN_TASK_COUNT": "3"},
			wantErr: "CLOUD_RUN_TASK_INDEX=3 is not below CLOUD_RUN_TASK_COUNT=3",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := cloudrun.TaskFromEnv(env(tt.env))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("TaskFromEnv() error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("TaskFromEnv() error = %v", err)
			}
			if got != tt.want {
				t.Errorf("TaskFromEnv() = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestShare(t *testing.T) {
	areas := []string{"turku", "lahti", "espoo", "oulu", "vantaa"} // sorted: espoo lahti oulu turku vantaa
	tests := []struct {
		name  string
		task  cloudrun.Task
		areas []string
		want  []string
	}{
		{"single task takes all, sorted", cloudrun.Task{Index: 0, Count: 1}, areas, []string{"espoo", "lahti", "oulu", "turku", "vantaa"}},
		{"task 0 of 2", cloudrun.Task{Index: 0, Count: 2}, areas, []string{"espoo", "oulu", "vantaa"}},
		{"task 1 of 2", cloudrun.Task{Index: 1, Count: 2}, areas, []string{"lahti", "turku"}},
		{"task 2 of 3", cloudrun.Task{Index: 2, Count: 3}, areas, []string{"oulu"}},
		{"more tasks than areas, busy task", cloudrun.Task{Index: 1, Count: 8}, areas, []string{"lahti"}},
		{"more tasks than areas, idle task", cloudrun.Task{Index: 6, Count: 8}, areas, []string{}},
		{"no areas", cloudrun.Task{Index: 0, Count: 2}, nil, []string{}},
		{"duplicates handled once", cloudrun.Task{Index: 1, Count: 2}, []string{"lahti", "espoo", "lahti"}, []string{"lahti"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.task.Share(tt.areas); !slices.Equal(got, tt.want) || got == nil {
				t.Errorf("Share(%v) = %#v, want %#v", tt.areas, got, tt.want)
			}
		})
	}
}

// Every area goes to exactly one task, whatever the order the areas are listed
// in and whichever attempt asks: a retry must not pick up a different share.
func TestSharePartitionsAndIsStable(t *testing.T) {
	areas := []string{"a", "b", "c", "d", "e", "f", "g"}
	reversed := slices.Clone(areas)
	slices.Reverse(reversed)
	for count := 1; count <= 9; count++ {
		seen := map[string]int{}
		for index := range count {
			first := cloudrun.Task{Index: index, Count: count, Attempt: 0}.Share(areas)
			retry := cloudrun.Task{Index: index, Count: count, Attempt: 3}.Share(reversed)
			if !slices.Equal(first, retry) {
				t.Errorf("count %d task %d: attempt 0 got %v, retry got %v", count, index, first, retry)
			}
			for _, a := range first {
				seen[a]++
			}
		}
		for _, a := range areas {
			if got, want := seen[a], 1; got != want {
				t.Errorf("count %d: area %s handled by %d tasks, want %d", count, a, got, want)
			}
		}
	}
}

func TestShareDoesNotReorderInput(t *testing.T) {
	areas := []string{"turku", "lahti"}
	cloudrun.Task{Count: 1}.Share(areas)
	if got, want := areas, []string{"turku", "lahti"}; !slices.Equal(got, want) {
		t.Errorf("input after Share = %v, want %v", got, want)
	}
}

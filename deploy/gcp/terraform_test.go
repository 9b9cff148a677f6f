package gcp_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tyomatka/deploy/gcp"
)

func TestTerraformPolicy(t *testing.T) {
	got, err := gcp.Violations(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range got {
		t.Error(v)
	}
}

func TestDeletionDateDefault(t *testing.T) {
	got, err := gcp.DeletionDateDefault(".")
	if err != nil {
		t.Fatal(err)
	}
	if want := "2031-01-31"; got != want {
		t.Errorf("DeletionDateDefault = %q, want %q (SPEC §5)", got, want)
	}
}

const extraPublicBinding = `
resource "google_storage_bucket_iam_member" "public" {
  bucket = google_storage_bucket.state.name
  role   = "roles/storage.objectAdmin"
  member = "allUsers"
}
`

const extraProjectBinding = `
resource "google_project_iam_member" "runtime_viewer" {
  project = var.project_id
  role    = "roles/viewer"
  member  = local.runtime_member
}
`

const extraSecretVersion = `
resource "google_secret_manager_secret_version" "key" {
  secret      = google_secret_manager_secret.pseudonym_key.id
  secret_data = "x"
}
`

// TestTerraformPolicyCatchesWeakening changes one thing at a time in a copy of
// the Terraform and requires the check to report it, so a weakened
// deployment cannot pass CI.
func TestTerraformPolicyCatchesWeakening(t *testing.T) {
	const userManaged = "replication {\n    user_managed {\n      replicas {\n        location = var.region\n      }\n    }\n  }"
	tests := []struct {
		name     string
		file     string
		old, new string // old is replaced once; "" appends new
		want     string // substring of some violation
	}{
		{"region default moved", "variables.tf", `default     = "europe-north1"`, `default     = "europe-west1"`, `is "europe-west1", want europe-north1`},
		{"region validation loosened", "variables.tf", `var.region == "europe-north1"`, `var.region != ""`, `validation accepts "europe-west1"`},
		{"region validation removed", "variables.tf", "validation {\n    condition     = var.region == \"europe-north1\"", "dummy_validation {\n    condition     = true", "needs a validation"},
		{"hard-coded location", "main.tf", "location      = var.region\n  repository_id", "location      = \"europe-west4\"\n  repository_id", `is "europe-west4"`},
		{"bucket location left out", "main.tf", "location                    = upper(var.region)\n", "", "does not set location"},
		{"bucket multi-region", "main.tf", "location                    = upper(var.region)", `location                    = "EU"`, `is "EU"`},
		{"allUsers binding", "main.tf", "", extraPublicBinding, "public principal allUsers"},
		{"allAuthenticatedUsers member", "main.tf", "member    = local.runtime_member\n}\n\nresource \"google_secret_manager_secret_iam_member\" \"runtime_graph", "member    = \"allAuthenticatedUsers\"\n}\n\nresource \"google_secret_manager_secret_iam_member\" \"runtime_graph", "public principal allAuthenticatedUsers"},
		{"project-level binding", "main.tf", "", extraProjectBinding, "google_project_iam_member.runtime_viewer: only single-resource grants"},
		{"bucket role widened", "main.tf", `"roles/storage.objectAdmin"`, `"roles/storage.admin"`, `grants "roles/storage.admin"`},
		{"accessor on one secret only", "main.tf", "secret_id = google_secret_manager_secret.graph_client_secret.id", "secret_id = google_secret_manager_secret.pseudonym_key.id", "want exactly [graph_client_secret pseudonym_key]"},
		{"invoker granted to runtime", "main.tf", "member   = local.scheduler_member", "member   = local.runtime_member", "must grant to google_service_account.scheduler"},
		{"automatic replication", "main.tf", userManaged, "replication {\n    auto {}\n  }", "replication must be user_managed"},
		{"replica elsewhere", "main.tf", "location = var.region\n      }\n    }\n  }", "location = \"europe-west1\"\n      }\n    }\n  }", `is "europe-west1"`},
		{"secret value in state", "main.tf", "", extraSecretVersion, "added by operators"},
		{"public access prevention inherited", "main.tf", `public_access_prevention    = "enforced"`, `public_access_prevention    = "inherited"`, "public_access_prevention must be"},
		{"fine-grained ACLs", "main.tf", "uniform_bucket_level_access = true", "uniform_bucket_level_access = false", "uniform_bucket_level_access must be true"},
		{"versioning off", "main.tf", "enabled = true", "enabled = false", "versioning must be enabled"},
		{"force destroy", "main.tf", "force_destroy               = false", "force_destroy               = true", "force_destroy must not be true"},
		{"soft delete on", "main.tf", "retention_duration_seconds = 0", "retention_duration_seconds = 604800", "soft delete must be off"},
		{"created_before rule deletes now", "main.tf", "days_since_custom_time              = 0\n      send_days_since_custom_time_if_zero = true", "created_before = var.deletion_date", "would delete the ledger"},
		{"deletion rule removed", "main.tf", "days_since_custom_time              = 0", "days_since_custom_time              = 30", "needs a Delete rule with days_since_custom_time = 0"},
		{"deletion starts too late", "main.tf", `"-72h"`, `"-12h"`, "lifecycle deletion needs at least 48h"},
		{"custom time not from deletion date", "main.tf", `timeadd("${var.deletion_date}T00:00:00Z", "-72h")`, `"2031-01-28T00:00:00Z"`, "derived from var.deletion_date"},
		{"job as default compute account", "main.tf", "service_account = google_service_account.runtime.email", `service_account = "123-compute@developer.gserviceaccount.com"`, "must run as google_service_account.runtime"},
		{"schedule before the lists", "variables.tf", `default     = "0 6 22 * *"`, `default     = "0 6 15 * *"`, `schedule "0 6 15 * *" must run monthly`},
		{"schedule validation loosened", "variables.tf", `(2[1-8])`, `([0-9]+)`, `validation accepts "0 6 15 * *"`},
		{"scheduler in UTC", "variables.tf", `default     = "Europe/Helsinki"`, `default     = "UTC"`, "want Europe/Helsinki"},
		{"scheduler elsewhere", "main.tf", "region      = var.region", `region      = "europe-west1"`, `region is "europe-west1"`},
		{"scheduler as runtime", "main.tf", "service_account_email = google_service_account.scheduler.email", "service_account_email = google_service_account.runtime.email", "must call as google_service_account.scheduler"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := copyTerraform(t)
			path := filepath.Join(dir, tt.file)
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			s := string(src)
			if tt.old == "" {
				s += tt.new
			} else {
				if !strings.Contains(s, tt.old) {
					t.Fatalf("%s no longer contains %q; update the mutation", tt.file, tt.old)
				}
				s = strings.Replace(s, tt.old, tt.new, 1)
			}
			if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := gcp.Violations(dir)
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range got {
				if strings.Contains(v, tt.want) {
					return
				}
			}
			t.Errorf("no violation contains %q; got:\n%s", tt.want, strings.Join(got, "\n"))
		})
	}
}

func copyTerraform(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	paths, err := filepath.Glob("*.tf")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no .tf files: %v", err)
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, p), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

# The billing bot as a Cloud Run job in europe-north1 (SPEC §5, §9). Every
# grant below is on one resource; the runtime service account has no
# project-level role, so a leaked token reaches two secrets and one bucket.

locals {
  jobs_dir   = "/etc/tyomatka/jobs"
  task_count = coalesce(var.task_count, length(var.areas))

  # Cloud Storage lifecycle conditions are either relative to an object's own
  # times or fixed dates that match every older object at once (a
  # created_before rule with the deletion date would delete the ledger the day
  # it is written). So the job stamps each object's Custom-Time and the bucket
  # deletes objects whose Custom-Time has passed. Lifecycle actions run
  # asynchronously (up to a day after the condition holds) and a versioned
  # delete takes two passes (live -> noncurrent -> gone), so deletion starts
  # three days before the deletion date.
  object_custom_time = timeadd("${var.deletion_date}T00:00:00Z", "-72h")

  runtime_member   = "serviceAccount:${google_service_account.runtime.email}"
  scheduler_member = "serviceAccount:${google_service_account.scheduler.email}"

  job_log_filter = "resource.type=\"cloud_run_job\" AND resource.labels.job_name=\"${var.job_name}\""
}

resource "google_project_service" "apis" {
  for_each = toset([
    "artifactregistry.googleapis.com",
    "cloudscheduler.googleapis.com",
    "iam.googleapis.com",
    "logging.googleapis.com",
    "run.googleapis.com",
    "secretmanager.googleapis.com",
    "storage.googleapis.com",
  ])

  service            = each.value
  disable_on_destroy = false
}

resource "google_artifact_registry_repository" "images" {
  location      = var.region
  repository_id = "tyomatka"
  format        = "DOCKER"
  description   = "TyöMatka billing job images"

  depends_on = [google_project_service.apis]
}

resource "google_service_account" "runtime" {
  account_id   = "tyomatka-runtime"
  display_name = "TyöMatka billing job (runtime)"
  description  = "Identity of the Cloud Run job: reads its two secrets, writes the state bucket, federates to Entra ID."
}

resource "google_service_account" "scheduler" {
  account_id   = "tyomatka-scheduler"
  display_name = "TyöMatka monthly trigger"
  description  = "Used by Cloud Scheduler only to start the Cloud Run job."
}

# Secrets hold no versions here: operators add the values (README.md), so
# they never enter the Terraform state.
resource "google_secret_manager_secret" "pseudonym_key" {
  secret_id = "tyomatka-pseudonym-key"

  replication {
    user_managed {
      replicas {
        location = var.region
      }
    }
  }

  depends_on = [google_project_service.apis]
}

resource "google_secret_manager_secret" "graph_client_secret" {
  secret_id = "tyomatka-graph-client-secret"

  replication {
    user_managed {
      replicas {
        location = var.region
      }
    }
  }

  depends_on = [google_project_service.apis]
}

resource "google_secret_manager_secret_iam_member" "runtime_pseudonym_key" {
  secret_id = google_secret_manager_secret.pseudonym_key.id
  role      = "roles/secretmanager.secretAccessor"
  member    = local.runtime_member
}

resource "google_secret_manager_secret_iam_member" "runtime_graph_client_secret" {
  secret_id = google_secret_manager_secret.graph_client_secret.id
  role      = "roles/secretmanager.secretAccessor"
  member    = local.runtime_member
}

resource "google_storage_bucket" "state" {
  name                        = "${var.project_id}-tyomatka-state"
  location                    = upper(var.region)
  storage_class               = "STANDARD"
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = false

  # Versions let an operator restore the ledger (README.md).
  versioning {
    enabled = true
  }

  # Soft delete would keep deleted objects for another week past the
  # deletion date; versioning already covers mistakes.
  soft_delete_policy {
    retention_duration_seconds = 0
  }

  # Deletion date: every version of every object whose Custom-Time has passed.
  lifecycle_rule {
    action {
      type = "Delete"
    }
    condition {
      days_since_custom_time              = 0
      send_days_since_custom_time_if_zero = true
      with_state                          = "ANY"
    }
  }

  # Old ledger versions are kept for restores, not forever.
  lifecycle_rule {
    action {
      type = "Delete"
    }
    condition {
      days_since_noncurrent_time = var.noncurrent_version_days
      with_state                 = "ARCHIVED"
    }
  }

  depends_on = [google_project_service.apis]
}

resource "google_storage_bucket_iam_member" "runtime_state" {
  bucket = google_storage_bucket.state.name
  role   = "roles/storage.objectAdmin"
  member = local.runtime_member
}

resource "google_cloud_run_v2_job" "bot" {
  name     = var.job_name
  location = var.region

  template {
    task_count  = local.task_count
    parallelism = local.task_count

    template {
      service_account = google_service_account.runtime.email
      timeout         = var.timeout
      max_retries     = var.max_retries

      containers {
        image = var.image
        args  = ["run-all", "--jobs", local.jobs_dir]

        env {
          name  = "TYOMATKA_JOBS_DIR"
          value = local.jobs_dir
        }
        env {
          name  = "TYOMATKA_AREAS"
          value = join(",", var.areas)
        }
        env {
          name  = "TYOMATKA_OBJECT_CUSTOM_TIME"
          value = local.object_custom_time
        }
        env {
          name  = "GOMEMLIMIT"
          value = var.go_memory_limit
        }

        resources {
          limits = {
            memory = var.memory
            cpu    = var.cpu
          }
        }
      }
    }
  }

  depends_on = [
    google_project_service.apis,
    google_secret_manager_secret_iam_member.runtime_pseudonym_key,
    google_secret_manager_secret_iam_member.runtime_graph_client_secret,
    google_storage_bucket_iam_member.runtime_state,
  ]
}

resource "google_cloud_run_v2_job_iam_member" "scheduler_invoker" {
  project  = google_cloud_run_v2_job.bot.project
  location = google_cloud_run_v2_job.bot.location
  name     = google_cloud_run_v2_job.bot.name
  role     = "roles/run.invoker"
  member   = local.scheduler_member
}

resource "google_cloud_scheduler_job" "monthly" {
  name        = "${var.job_name}-monthly"
  description = "Runs the billing job once a month, after Kela's lists have arrived."
  region      = var.region
  schedule    = var.schedule
  time_zone   = var.time_zone

  # The run call returns as soon as the execution starts; retries of the work
  # itself are the job's max_retries. Should a retried call start a second
  # execution, that is harmless: a rerun gives the same result and ledger
  # writes are conditional.
  retry_config {
    retry_count = 1
  }

  http_target {
    http_method = "POST"
    uri         = "https://run.googleapis.com/v2/projects/${var.project_id}/locations/${var.region}/jobs/${google_cloud_run_v2_job.bot.name}:run"

    oauth_token {
      service_account_email = google_service_account.scheduler.email
      scope                 = "https://www.googleapis.com/auth/cloud-platform"
    }
  }

  depends_on = [google_cloud_run_v2_job_iam_member.scheduler_invoker]
}

# Logs stay in Finland: the job's entries go to a log bucket in the region
# and are kept out of the global _Default bucket.
resource "google_logging_project_bucket_config" "logs" {
  project        = var.project_id
  location       = var.region
  bucket_id      = "tyomatka"
  retention_days = var.log_retention_days

  depends_on = [google_project_service.apis]
}

resource "google_logging_project_sink" "job_logs" {
  name                   = "tyomatka-job-logs"
  destination            = "logging.googleapis.com/${google_logging_project_bucket_config.logs.id}"
  filter                 = local.job_log_filter
  unique_writer_identity = true
}

# Project exclusions apply to the _Default sink only, so the sink above still
# receives the entries.
resource "google_logging_project_exclusion" "job_logs_not_in_default" {
  name        = "tyomatka-job-logs-not-in-default"
  description = "The job's logs are kept in the europe-north1 bucket only."
  filter      = local.job_log_filter
}

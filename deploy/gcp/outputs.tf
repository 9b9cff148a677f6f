output "job_name" {
  description = "Name of the Cloud Run job."
  value       = google_cloud_run_v2_job.bot.name
}

output "runtime_service_account" {
  description = "Email of the job's service account (for the Entra ID federated credential, use its unique_id)."
  value       = google_service_account.runtime.email
}

output "runtime_service_account_unique_id" {
  description = "Numeric unique id of the job's service account: the subject of the Entra ID federated credential."
  value       = google_service_account.runtime.unique_id
}

output "state_bucket" {
  description = "Name of the state bucket (ledger and audit records)."
  value       = google_storage_bucket.state.name
}

output "object_custom_time" {
  description = "Custom-Time the job sets on every object it writes; the bucket deletes an object once this time has passed."
  value       = local.object_custom_time
}

output "artifact_registry" {
  description = "Docker repository to push the image to."
  value       = "${var.region}-docker.pkg.dev/${var.project_id}/${google_artifact_registry_repository.images.repository_id}"
}

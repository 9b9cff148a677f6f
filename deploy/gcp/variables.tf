variable "project_id" {
  description = "Google Cloud project that hosts the billing job."
  type        = string
}

variable "region" {
  description = "Region of every regional resource. The register's data must stay in Finland (SPEC §5)."
  type        = string
  default     = "europe-north1"

  validation {
    condition     = var.region == "europe-north1"
    error_message = "The region must be europe-north1 (Finland): the register's data may not leave it."
  }
}

variable "image" {
  description = "Container image of the job, e.g. europe-north1-docker.pkg.dev/PROJECT/tyomatka/tyomatka:v1.2.3 (pin a tag or digest)."
  type        = string
}

variable "job_name" {
  description = "Name of the Cloud Run job."
  type        = string
  default     = "tyomatka"
}

variable "areas" {
  description = "Areas the job serves; each needs jobs/cloud/<area>.toml in the image."
  type        = list(string)
  default     = ["lahti"]

  validation {
    condition     = length(var.areas) > 0
    error_message = "List at least one area."
  }
}

variable "task_count" {
  description = "Tasks per execution; null gives one task per area. Areas are split between tasks by CLOUD_RUN_TASK_INDEX."
  type        = number
  default     = null
}

variable "schedule" {
  description = "Cron schedule of the monthly run. The day of month must be 21-28: Kela's lists for a month arrive by the 20th of the next month, and a day after the 28th would skip February."
  type        = string
  default     = "0 6 22 * *"

  validation {
    condition     = can(regex("^\\S+\\s+\\S+\\s+(2[1-8])\\s+\\S+\\s+\\S+$", var.schedule))
    error_message = "The schedule must run on one day of month between 21 and 28, e.g. \"0 6 22 * *\"."
  }
}

variable "time_zone" {
  description = "Time zone the schedule is read in."
  type        = string
  default     = "Europe/Helsinki"
}

variable "deletion_date" {
  description = "Date (YYYY-MM-DD) by which every object in the state bucket must be gone. Must equal the retention date the job is configured with."
  type        = string
  default     = "2031-01-31"

  validation {
    condition     = can(regex("^[0-9]{4}-[0-9]{2}-[0-9]{2}$", var.deletion_date))
    error_message = "The deletion date must be YYYY-MM-DD."
  }
}

variable "noncurrent_version_days" {
  description = "Days a replaced or deleted ledger version is kept for restores before the bucket deletes it."
  type        = number
  default     = 90
}

variable "log_retention_days" {
  description = "Days the job's logs are kept in the europe-north1 log bucket."
  type        = number
  default     = 400
}

variable "memory" {
  description = <<-EOT
    Memory limit of a task. Measured (bench/RESULTS.md): a national-scale run
    (100,000 clients, 1.9 million accrual rows) peaks at about 0.85 GiB under
    the job's soft heap limit; on Cloud Run the downloaded inputs also live in
    memory (its /tmp is in RAM), so 2 GiB leaves room for both.
  EOT
  type        = string
  default     = "2Gi"
}

variable "go_memory_limit" {
  description = "Soft heap limit for the Go runtime (GOMEMLIMIT), below the task's memory limit."
  type        = string
  default     = "1536MiB"
}

variable "cpu" {
  description = "CPU limit of a task: the accrual lists are read and the workbooks written on both cores."
  type        = string
  default     = "2"
}

variable "timeout" {
  description = "Maximum run time of one task attempt."
  type        = string
  default     = "3600s"
}

variable "max_retries" {
  description = "Retries of a failed task. A retried task gives the same result (SPEC §7)."
  type        = number
  default     = 3
}

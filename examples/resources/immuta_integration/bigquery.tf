# Google BigQuery. Immuta cannot set BigQuery up itself: create the role and
# the service account first (see the Google BigQuery guide), then pass the
# service account's JSON key file, e.g.
#   export TF_VAR_bigquery_credential="$(cat service-account.json)"
resource "immuta_integration" "bigquery" {
  auto_bootstrap = false

  bigquery = {
    role           = "immuta"
    dataset_suffix = "_secureView"
    dataset        = "immuta"
    location       = "us-east1"
    credential     = var.bigquery_credential
  }
}

variable "bigquery_credential" {
  description = "The JSON key file of the service account Immuta uses."
  type        = string
  sensitive   = true
}

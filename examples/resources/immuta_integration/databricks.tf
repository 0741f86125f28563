# Databricks Unity Catalog, set up by Immuta itself with a personal access
# token. Immuta creates the `immuta` catalog for its metadata; members of the
# `admins` group are exempt from Immuta's policies.
resource "immuta_integration" "databricks" {
  auto_bootstrap = true

  databricks = {
    workspace_url       = "www.example-workspace.cloud.databricks.com"
    http_path           = "sql/protocolv1/o/0/0000-00000-abc123"
    catalog             = "immuta"
    authentication_type = "token"
    token               = var.databricks_token

    group_pattern = { deny = "admins" }
  }
}

variable "databricks_token" {
  description = "Databricks personal access token of the user Immuta connects as."
  type        = string
  sensitive   = true
}

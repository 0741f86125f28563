# A Databricks Unity Catalog connection with a service principal's personal
# access token. Run Immuta's set-up script in the workspace first (the
# immuta_integration_script data source with `action = "create"` and the
# same `databricks` settings generates it). The root stays inactive until
# you enable paths below it (see immuta_connection_settings).
resource "immuta_connection" "databricks" {
  connection_key = "databricks-prod"

  databricks = {
    workspace_url       = "dbc-a1b2c3d4-e5f6.cloud.databricks.com"
    http_path           = "/sql/1.0/warehouses/0123456789abcdef"
    authentication_type = "token"
    token               = var.databricks_token
    catalog             = "immuta"
  }

  settings = {
    is_active = false
  }
}

variable "databricks_token" {
  description = "Personal access token of the service principal Immuta uses."
  type        = string
  sensitive   = true
}

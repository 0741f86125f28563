# Databricks Unity Catalog, set up by Immuta itself, signing in as a
# Databricks service principal with OAuth machine-to-machine (M2M) instead
# of a personal access token: `client_id` is the service principal's
# application id and `client_secret` an OAuth secret made for it in
# Databricks. `authority_url` is the token endpoint Immuta exchanges them at
# for short-lived access tokens; for a Databricks service principal it is
# the workspace's own, https://<workspace_url>/oidc/v1/token.
resource "immuta_integration" "databricks_oauth" {
  auto_bootstrap = true

  databricks = {
    workspace_url       = "oauth-example-workspace.cloud.databricks.com"
    http_path           = "sql/protocolv1/o/0/0000-00000-def456"
    catalog             = "immuta"
    authentication_type = "oAuthM2M"

    oauth_client_config = {
      client_id     = "8f2c3a1e-5b7d-4e9f-a0c1-2d3e4f5a6b7c"
      client_secret = var.databricks_oauth_secret
      authority_url = "https://oauth-example-workspace.cloud.databricks.com/oidc/v1/token"
      scope         = "all-apis"
    }
  }
}

variable "databricks_oauth_secret" {
  description = "OAuth secret of the Databricks service principal Immuta connects as."
  type        = string
  sensitive   = true
}

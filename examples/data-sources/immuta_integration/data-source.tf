# One integration by id, here the first Snowflake integration of the tenant:
# its status, its last validation and its non-secret settings.
data "immuta_integrations" "snowflake" {
  type = "Snowflake"
}

locals {
  snowflake_ids = [for i in data.immuta_integrations.snowflake.integrations : i.id]
}

data "immuta_integration" "snowflake" {
  id = local.snowflake_ids[0]
}

output "snowflake_status" {
  value = data.immuta_integration.snowflake.status
}

output "snowflake_warehouse" {
  value = data.immuta_integration.snowflake.snowflake.warehouse
}

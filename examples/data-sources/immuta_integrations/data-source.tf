# Every enabled Snowflake integration of the tenant.
data "immuta_integrations" "snowflake" {
  type   = "Snowflake"
  status = "enabled"
}

output "snowflake_integration_ids" {
  value = data.immuta_integrations.snowflake.integrations[*].id
}

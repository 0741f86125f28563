output "ids" {
  description = "The ids of the integrations, in Immuta's order."
  value       = [for i in data.immuta_integrations.selected.integrations : i.id]
}

output "by_type" {
  description = "The ids of the integrations, by Immuta type."
  value = {
    for t in local.types : t => [for id, i in local.integrations : id if i.type == t]
  }
}

output "not_enabled" {
  description = "The integrations that are not enabled, with their status."
  value       = { for id, i in local.integrations : id => i.status if i.status != "enabled" }
}

output "snowflake_accounts" {
  description = "For each Snowflake integration: its host, warehouse and database."
  value = {
    for id, i in local.integrations : id => {
      host      = i.snowflake.host
      warehouse = i.snowflake.warehouse
      database  = i.snowflake.database
    } if i.snowflake != null
  }
}

output "failed_tests" {
  description = "For each integration whose last validation failed: the failed tests' names."
  value = {
    for id, d in data.immuta_integration.each : id => [
      for t in d.validation_results.tests : t.name if t.status == "failed"
    ] if try(d.validation_results.status, "") == "failed"
  }
}

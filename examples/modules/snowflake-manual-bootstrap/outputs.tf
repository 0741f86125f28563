output "create_script" {
  description = "The SQL to run in Snowflake before setting bootstrapped = true."
  value       = data.immuta_integration_script.create.script
  sensitive   = true
}

output "cleanup_script" {
  description = "The SQL that undoes create_script if the integration is never created."
  value       = data.immuta_integration_script.cleanup.script
  sensitive   = true
}

output "delete_script" {
  description = "The SQL that removes Immuta's objects once the integration is destroyed (null before it exists)."
  value       = one(data.immuta_integration_script.delete[*].script)
  sensitive   = true
}

output "integration_id" {
  description = "The integration's id in Immuta (null until bootstrapped)."
  value       = one(immuta_integration.this[*].id)
}

output "status" {
  description = "The integration's status, enabled once it is ready (null until bootstrapped)."
  value       = one(immuta_integration.this[*].status)
}

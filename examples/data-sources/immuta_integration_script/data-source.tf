# The SQL that sets up Immuta's database, system user and role in Snowflake,
# for a DBA to run before the integration is created with
# auto_bootstrap = false. `terraform output -raw snowflake_setup_sql` prints it.
variable "snowflake_password" {
  type      = string
  sensitive = true
}

data "immuta_integration_script" "snowflake_setup" {
  action         = "create"
  auto_bootstrap = false
  snowflake = {
    host                = "example.us-east-1.snowflakecomputing.com"
    warehouse           = "COMPUTE_WH"
    database            = "IMMUTA"
    authentication_type = "userPassword"
    username            = "IMMUTA_SYSTEM_ACCOUNT"
    password            = var.snowflake_password
  }
}

output "snowflake_setup_sql" {
  value     = data.immuta_integration_script.snowflake_setup.script
  sensitive = true
}

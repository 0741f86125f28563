# A Snowflake connection, on a tenant that registers platforms as
# connections. Immuta never sets Snowflake up for a connection: first run
# its set-up script in Snowflake (generated here from the same settings,
# and shown with `terraform output -raw snowflake_setup_script`), then
# apply the connection. The root is active: its tables become data sources
# as object sync finds them.
locals {
  snowflake = {
    host                = "organization.us-east-1.snowflakecomputing.com"
    warehouse           = "IMMUTA_WAREHOUSE"
    database            = "IMMUTA_SYSTEM" # created by the set-up script
    role                = "IMMUTA_SYSTEM_ROLE"
    authentication_type = "userPassword"
    username            = "IMMUTA_SYSTEM_ACCOUNT"
  }
}

data "immuta_integration_script" "snowflake_setup" {
  action         = "create"
  auto_bootstrap = false

  snowflake = {
    host                = local.snowflake.host
    warehouse           = local.snowflake.warehouse
    database            = local.snowflake.database
    role                = local.snowflake.role
    authentication_type = local.snowflake.authentication_type
    username            = local.snowflake.username
    password            = var.snowflake_password
  }
}

output "snowflake_setup_script" {
  value     = data.immuta_integration_script.snowflake_setup.script
  sensitive = true
}

resource "immuta_connection" "snowflake" {
  connection_key = "snowflake-prod"

  snowflake = {
    host                = local.snowflake.host
    warehouse           = local.snowflake.warehouse
    database            = local.snowflake.database
    role                = local.snowflake.role
    authentication_type = local.snowflake.authentication_type
    username            = local.snowflake.username
    password            = var.snowflake_password
  }

  settings = {
    is_active             = true
    activate_new_children = true
  }

  depends_on = [data.immuta_integration_script.snowflake_setup]
}

variable "snowflake_password" {
  description = "Password of the Snowflake account Immuta signs in with."
  type        = string
  sensitive   = true
}

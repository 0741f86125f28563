# A Snowflake integration whose Snowflake side is set up by hand
# (auto_bootstrap = false): Immuta generates the scripts, someone with
# ACCOUNTADMIN runs them, and only then is the integration created.

locals {
  snowflake = {
    host                = var.host
    warehouse           = var.warehouse
    database            = var.database
    authentication_type = "userPassword"
    username            = var.username
    password            = var.password
  }
}

# Creates Immuta's database, system account and role in Snowflake.
data "immuta_integration_script" "create" {
  action         = "create"
  auto_bootstrap = false
  snowflake      = local.snowflake
}

# Removes them again, should the integration never be created.
data "immuta_integration_script" "cleanup" {
  action         = "cleanup"
  auto_bootstrap = false
  snowflake      = local.snowflake
}

resource "immuta_integration" "this" {
  count = var.bootstrapped ? 1 : 0

  auto_bootstrap = false
  snowflake      = local.snowflake
}

# Once the integration exists: removes Immuta's objects after it is
# destroyed (Immuta does not, for an integration it did not set up).
data "immuta_integration_script" "delete" {
  count = var.bootstrapped ? 1 : 0

  action         = "delete"
  integration_id = immuta_integration.this[0].id
}

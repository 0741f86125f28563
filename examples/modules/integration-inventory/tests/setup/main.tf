# Integrations for the inventory to find: made through the provider, in
# the emulator, by the first run of inventory.tftest.hcl.
terraform {
  required_providers {
    immuta = {
      source  = "immuta/immuta"
      version = ">= 0.1"
    }
  }
}

resource "immuta_integration" "snowflake" {
  auto_bootstrap = false
  snowflake = {
    host                = "inventory.us-east-1.snowflakecomputing.com"
    warehouse           = "INVENTORY_WH"
    database            = "INVENTORY_DB"
    authentication_type = "userPassword"
    username            = "IMMUTA_SYSTEM_ACCOUNT"
    password            = "test-only-password"
  }
}

resource "immuta_integration" "trino" {
  trino = {}
}

output "snowflake_id" {
  value = immuta_integration.snowflake.id
}

output "trino_id" {
  value = immuta_integration.trino.id
}

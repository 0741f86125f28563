# Inventories every integration of the tenant, and the Snowflake ones apart.
terraform {
  required_providers {
    immuta = {
      source  = "immuta/immuta"
      version = "~> 0.1"
    }
  }
}

provider "immuta" {}

module "all" {
  source = "../"
}

module "snowflake" {
  source = "../"
  type   = "Snowflake"
}

output "ids" {
  value = module.all.ids
}

output "by_type" {
  value = module.all.by_type
}

output "not_enabled" {
  value = module.all.not_enabled
}

output "failed_tests" {
  value = module.all.failed_tests
}

output "snowflake_accounts" {
  value = module.snowflake.snowflake_accounts
}

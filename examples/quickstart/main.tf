# The quickstart: a Snowflake and a Starburst (Trino) integration.
#
# scripts/quickstart.sh applies this against a local immuta-emulator. The
# provider block is empty: the provider reads IMMUTA_HOST and IMMUTA_API_KEY,
# which the script sets. The secrets below have harmless defaults so that
# `terraform apply` needs no input; against a real Immuta tenant, drop the
# defaults and pass real values (e.g. TF_VAR_snowflake_password).

terraform {
  required_providers {
    immuta = {
      source  = "immuta/immuta"
      version = "~> 0.1"
    }
  }
}

provider "immuta" {}

variable "snowflake_host" {
  description = "The Snowflake account host."
  type        = string
  default     = "quickstart.us-east-1.snowflakecomputing.com"
}

variable "snowflake_username" {
  description = "User name of the Snowflake system account Immuta signs in with."
  type        = string
  default     = "immuta_system@example.com"
}

variable "snowflake_password" {
  description = "Password of that account."
  type        = string
  sensitive   = true
  default     = "quickstart-password"
}

resource "immuta_integration" "snowflake" {
  auto_bootstrap = true

  snowflake = {
    host                = var.snowflake_host
    warehouse           = "QUICKSTART_WAREHOUSE"
    database            = "IMMUTA_QUICKSTART"
    role                = "ACCOUNTADMIN"
    authentication_type = "userPassword"
    username            = var.snowflake_username
    password            = var.snowflake_password

    audit = { enabled = true }
  }

  timeouts = {
    create = "5m"
    update = "5m"
    delete = "5m"
  }
}

resource "immuta_integration" "starburst" {
  trino = {}
}

# What the tenant now holds: both integrations, once enabled.
data "immuta_integrations" "enabled" {
  status = "enabled"

  depends_on = [
    immuta_integration.snowflake,
    immuta_integration.starburst,
  ]
}

output "snowflake_integration_id" {
  value = immuta_integration.snowflake.id
}

output "snowflake_status" {
  value = immuta_integration.snowflake.status
}

# lookup() rather than `.validation_results.status`: Terraform 1.0 rejects
# references into nested attributes, and the quickstart runs on 1.0 too.
output "snowflake_validation" {
  value = lookup(immuta_integration.snowflake.validation_results, "status", null)
}

output "starburst_integration_id" {
  value = immuta_integration.starburst.id
}

output "starburst_immuta_api_key" {
  description = "The key to configure the Starburst cluster with (terraform output -raw starburst_immuta_api_key)."
  value       = lookup(immuta_integration.starburst.trino, "api_key", null)
  sensitive   = true
}

output "enabled_integrations" {
  value = [for i in data.immuta_integrations.enabled.integrations : "${i.type} ${i.id}"]
}

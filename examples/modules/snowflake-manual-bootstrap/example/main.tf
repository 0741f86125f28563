# Sets up a Snowflake integration by hand, in two applies:
#   terraform apply                            # get the scripts
#   terraform output -raw create_script        # hand this SQL to a Snowflake ACCOUNTADMIN
#   terraform apply -var bootstrapped=true     # then create the integration
terraform {
  required_providers {
    immuta = {
      source  = "immuta/immuta"
      version = "~> 0.1"
    }
  }
}

provider "immuta" {}

variable "snowflake_password" {
  type      = string
  sensitive = true
}

variable "bootstrapped" {
  type    = bool
  default = false
}

module "snowflake" {
  source = "../"

  host         = "example.us-east-1.snowflakecomputing.com"
  warehouse    = "COMPUTE_WH"
  password     = var.snowflake_password
  bootstrapped = var.bootstrapped
}

# With the Snowflake provider in the same configuration, Terraform can run
# the script itself instead of a person, e.g.:
#
#   resource "snowflake_unsafe_execute" "immuta_setup" {
#     execute = module.snowflake.create_script
#     revert  = module.snowflake.cleanup_script
#   }

output "create_script" {
  value     = module.snowflake.create_script
  sensitive = true
}

output "delete_script" {
  value     = module.snowflake.delete_script
  sensitive = true
}

output "integration_id" {
  value = module.snowflake.integration_id
}

output "status" {
  value = module.snowflake.status
}

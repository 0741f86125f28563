# Requires Terraform >= 1.10: ephemeral resources
# The manual-bootstrap flow without the script in the state: Immuta's set-up
# SQL for a Snowflake integration, handed to the command that runs it
# through an environment variable. Terraform opens the ephemeral resource
# for each plan and apply and never writes the script to the plan or state.
variable "snowflake_password" {
  type      = string
  sensitive = true
}

ephemeral "immuta_integration_script" "snowflake_setup" {
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

# Runs the script once, when this resource is created. Replace the command
# with your SQL client reading standard input, e.g.
# `snowsql --connection admin --filename /dev/stdin`.
resource "terraform_data" "snowflake_setup" {
  provisioner "local-exec" {
    command = "printf '%s\n' \"$IMMUTA_SETUP_SQL\" | grep -c 'CREATE'"
    environment = {
      IMMUTA_SETUP_SQL = ephemeral.immuta_integration_script.snowflake_setup.script
    }
  }
}

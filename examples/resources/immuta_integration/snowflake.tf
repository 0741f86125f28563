# Snowflake, set up by Immuta itself (auto_bootstrap = true). The system
# account signs in with a user name and password and uses the ACCOUNTADMIN
# role to create `database`: a new database that Immuta creates and keeps
# its own objects in, so give a name that does not exist yet, not one of
# your data's databases. Query audit is turned on.
resource "immuta_integration" "snowflake" {
  auto_bootstrap = true

  snowflake = {
    host                = "organization.us-east-1.snowflakecomputing.com"
    warehouse           = "SAMPLE_WAREHOUSE"
    database            = "IMMUTA_MANAGED" # created by Immuta
    role                = "ACCOUNTADMIN"
    authentication_type = "userPassword"
    username            = "taylor@snowflake.com"
    password            = var.snowflake_password

    audit = { enabled = true }
  }

  timeouts = {
    create = "30m"
    update = "30m"
    delete = "30m"
  }
}

variable "snowflake_password" {
  description = "Password of the Snowflake system account Immuta signs in with."
  type        = string
  sensitive   = true
}

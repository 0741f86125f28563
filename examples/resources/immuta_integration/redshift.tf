# Amazon Redshift, set up by Immuta itself. Immuta first connects to the
# existing database REDSHIFT_SAMPLE_DATA, creates the `immuta` database it
# manages, and turns on user impersonation with its own role.
resource "immuta_integration" "redshift" {
  auto_bootstrap = true

  redshift = {
    host                = "organization.aws.amazon.com"
    database            = "immuta"
    initial_database    = "REDSHIFT_SAMPLE_DATA"
    authentication_type = "userPassword"
    username            = "taylor@redshift.com"
    password            = var.redshift_password

    impersonation = {
      enabled = true
      role    = "immuta_impersonation"
    }
  }
}

variable "redshift_password" {
  description = "Password of the Redshift system account Immuta signs in with."
  type        = string
  sensitive   = true
}

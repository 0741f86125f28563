# An AWS Lake Formation connection: Immuta reaches the Glue Data Catalog of
# one account and region with an access key. Lake Formation has no set-up
# or removal script.
resource "immuta_connection" "lake_formation" {
  connection_key = "lake-formation-prod"

  lake_formation = {
    aws_account_id        = "123456789012"
    aws_region            = "us-east-1"
    authentication_type   = "accessKey"
    aws_access_key_id     = "AKIAIOSFODNN7EXAMPLE"
    aws_secret_access_key = var.aws_secret_access_key
  }
}

variable "aws_secret_access_key" {
  description = "Secret access key of the IAM user Immuta signs in as."
  type        = string
  sensitive   = true
}

# Amazon S3 (Immuta's "Native S3", through S3 Access Grants). Immuta cannot
# set S3 up itself (auto_bootstrap must be false). It signs in with an access
# key; `aws_location_path` is the base prefix of the S3 data sources it
# registers.
resource "immuta_integration" "s3" {
  auto_bootstrap = false

  s3 = {
    name                  = "S3 integration"
    aws_account_id        = "123456789"
    aws_region            = "us-east-1"
    aws_location_role     = "arn:aws:iam::123456789:role/access-grants-instance-role"
    aws_location_path     = "s3://"
    authentication_type   = "accessKey"
    aws_access_key_id     = "AKIAEXAMPLE123456789"
    aws_secret_access_key = var.aws_secret_access_key
  }
}

variable "aws_secret_access_key" {
  description = "Secret of the AWS access key Immuta uses."
  type        = string
  sensitive   = true
}

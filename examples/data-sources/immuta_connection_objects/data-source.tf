# The databases Immuta's object sync found in a Lake Formation connection,
# and which of them are active. (`depends_on` defers the read until the
# connection exists.)
resource "immuta_connection" "glue" {
  connection_key = "glue-catalog"

  lake_formation = {
    aws_account_id        = "123456789012"
    aws_region            = "us-east-1"
    authentication_type   = "accessKey"
    aws_access_key_id     = "AKIAIOSFODNN7EXAMPLE"
    aws_secret_access_key = var.aws_secret_access_key
  }
}

data "immuta_connection_objects" "databases" {
  path       = [immuta_connection.glue.connection_key]
  depends_on = [immuta_connection.glue]
}

output "databases" {
  value = {
    for o in data.immuta_connection_objects.databases.objects : o.name => o.is_active
  }
}

variable "aws_secret_access_key" {
  description = "Secret access key of the IAM user Immuta signs in as."
  type        = string
  sensitive   = true
}

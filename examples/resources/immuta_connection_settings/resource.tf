# The connection stays inactive; one database of it is active, its tables
# becoming data sources owned by a group, and tables object sync finds
# later in it start active too.
resource "immuta_connection" "glue" {
  connection_key = "glue-catalog"

  lake_formation = {
    aws_account_id        = "123456789012"
    aws_region            = "us-east-1"
    authentication_type   = "accessKey"
    aws_access_key_id     = "AKIAIOSFODNN7EXAMPLE"
    aws_secret_access_key = var.aws_secret_access_key
  }

  settings = {
    is_active = false
  }
}

resource "immuta_connection_settings" "sales" {
  path                  = [immuta_connection.glue.connection_key, "sales_db"]
  is_active             = true
  activate_new_children = true

  data_owner {
    type = "group"
    name = "sales-data-stewards"
  }
}

variable "aws_secret_access_key" {
  description = "Secret access key of the IAM user Immuta signs in as."
  type        = string
  sensitive   = true
}

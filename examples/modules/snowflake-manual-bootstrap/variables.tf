variable "host" {
  description = "The Snowflake account host, e.g. org.us-east-1.snowflakecomputing.com."
  type        = string
}

variable "warehouse" {
  description = "The warehouse Immuta's system account runs its queries in."
  type        = string
}

variable "database" {
  description = "The database the set-up script creates for Immuta."
  type        = string
  default     = "IMMUTA"
}

variable "username" {
  description = "The system account the set-up script creates for Immuta."
  type        = string
  default     = "IMMUTA_SYSTEM_ACCOUNT"
}

variable "password" {
  description = "The system account's password (the set-up script creates the user with it)."
  type        = string
  sensitive   = true
}

variable "bootstrapped" {
  description = <<-EOT
    Whether the set-up script (output create_script) has been run in Snowflake.
    Apply with false to get the script, run it, then apply with true to create
    the integration.
  EOT
  type        = bool
  default     = false
}

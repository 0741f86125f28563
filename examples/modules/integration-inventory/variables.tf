variable "type" {
  description = "Only integrations of this Immuta type (e.g. Snowflake); null for every type."
  type        = string
  default     = null
}

variable "status" {
  description = "Only integrations in this status (e.g. enabled); null for every status."
  type        = string
  default     = null
}

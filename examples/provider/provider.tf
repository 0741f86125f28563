terraform {
  required_providers {
    immuta = {
      source  = "immuta/immuta"
      version = "~> 0.1"
    }
  }
}

# host and api_key may also come from IMMUTA_HOST and IMMUTA_API_KEY.
provider "immuta" {
  host            = "https://example.hosted.immutacloud.com"
  api_key         = var.immuta_api_key
  request_timeout = "60s"
}

variable "immuta_api_key" {
  type      = string
  sensitive = true
}

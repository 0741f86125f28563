terraform {
  required_version = ">= 1.0"
  required_providers {
    immuta = {
      source  = "immuta/immuta"
      version = ">= 0.1"
    }
  }
}

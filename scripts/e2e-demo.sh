#!/usr/bin/env bash
# Runs the demo provider (tests/providers/demo_provider.rs) under a real Terraform:
# create, no-op plan, in-place update, replacement, import and destroy.
# Needs `terraform` on PATH. Usage: scripts/e2e-demo.sh
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

CARGO_TARGET_DIR="$target" cargo build --manifest-path "$root/Cargo.toml" --example demo_provider
mkdir -p "$work/bin" "$work/cfg"
cp "$target/debug/examples/demo_provider" "$work/bin/terraform-provider-demo"
cat > "$work/tfrc" <<TFRC
provider_installation {
  dev_overrides {
    "example.com/demo/demo" = "$work/bin"
  }
  direct {}
}
TFRC
export TF_CLI_CONFIG_FILE="$work/tfrc" TF_IN_AUTOMATION=1
cd "$work/cfg"
cat > main.tf <<'TF'
terraform {
  required_providers {
    demo = { source = "example.com/demo/demo" }
  }
}
provider "demo" {}
variable "secret" {
  type      = string
  default   = "s3cr3t"
  ephemeral = true
}
resource "demo_note" "a" {
  text   = "hello"
  ratio  = 0.1
  tags   = ["x", "y"]
  secret = var.secret
  meta   = { owner = "me" }
}
resource "demo_note" "b" {
  text = demo_note.a.id
}
TF

terraform apply -auto-approve -no-color >/dev/null
if grep -q s3cr3t <<<"$(terraform state pull)"; then
  echo "write-only value leaked into state" >&2
  exit 1
fi
terraform plan -detailed-exitcode -no-color >/dev/null   # exit 0: no changes
grep -q '"ratio":0.1' <<<"$(terraform show -json)"
sed -i 's/ratio  = 0.1/ratio  = 0.25/' main.tf
grep -q '1 changed' <<<"$(terraform apply -auto-approve -no-color)"
sed -i 's/text   = "hello"/text   = "bye"/' main.tf
grep -q '2 destroyed' <<<"$(terraform apply -auto-approve -no-color)"
printf 'resource "demo_note" "c" {\n  text = "imp"\n}\n' >> main.tf
terraform import -no-color demo_note.c abc >/dev/null
grep -q '3 destroyed' <<<"$(terraform destroy -auto-approve -no-color)"
# A panicking apply becomes an error diagnostic; the secret in the panic
# message appears nowhere.
printf 'resource "demo_note" "p" {\n  text = "panic"\n}\n' > main.tf.new
mv main.tf.new panic.tf
out="$(TF_LOG=trace terraform apply -auto-approve -no-color 2>&1 || true)"
grep -q "Internal error in provider" <<<"$out"
if grep -q hunter2 <<<"$out"; then
  echo "panic message leaked" >&2
  exit 1
fi
rm panic.tf
terraform destroy -auto-approve -no-color >/dev/null
echo "e2e demo: OK"

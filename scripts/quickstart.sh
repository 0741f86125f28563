#!/usr/bin/env bash
# Quickstart: builds the provider and the emulator, starts the emulator on a
# free port, installs the provider into a local filesystem mirror, and runs
# `terraform init` and `terraform apply` of examples/quickstart against it,
# then shows that a second plan has nothing to change.
#
# Everything it makes lives in .quickstart/ (the Terraform state too); the
# emulator stops when the script ends.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

command -v cargo >/dev/null || { echo "quickstart: cargo is needed (https://rustup.rs)" >&2; exit 1; }
tf_list=$(scripts/install-terraform.sh)
terraform_bin=${tf_list%%:*}
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)

echo "quickstart: building terraform-provider-immuta and immuta-emulator"
cargo build --quiet --locked -p terraform-provider-immuta -p immuta-emulator
target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')

qs="$root/.quickstart"
mkdir -p "$qs/work"
pkg="$qs/mirror/registry.terraform.io/immuta/immuta/$version/linux_amd64"
rm -rf "$qs/mirror" && mkdir -p "$pkg"
cp "$target_dir/debug/terraform-provider-immuta" "$pkg/terraform-provider-immuta_v$version"
cat > "$qs/terraform.rc" <<RC
provider_installation {
  filesystem_mirror {
    path    = "$qs/mirror"
    include = ["registry.terraform.io/immuta/immuta"]
  }
  direct {
    exclude = ["registry.terraform.io/immuta/immuta"]
  }
}
RC

api_key="quickstart-$(date +%s)"
"$target_dir/debug/immuta-emulator" --port 0 --api-key "$api_key" >"$qs/emulator.log" 2>&1 &
emulator_pid=$!
trap 'kill $emulator_pid 2>/dev/null || true' EXIT
url=""
for _ in $(seq 1 100); do
    url=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$qs/emulator.log" | head -n1 || true)
    [ -n "$url" ] && break
    kill -0 $emulator_pid 2>/dev/null || { cat "$qs/emulator.log" >&2; exit 1; }
    sleep 0.1
done
[ -n "$url" ] || { echo "quickstart: the emulator did not start" >&2; cat "$qs/emulator.log" >&2; exit 1; }
echo "quickstart: immuta-emulator listening on $url"

cp examples/quickstart/*.tf "$qs/work/"
rm -rf "$qs/work/.terraform" "$qs/work/.terraform.lock.hcl" "$qs/work/terraform.tfstate"*
export TF_CLI_CONFIG_FILE="$qs/terraform.rc" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
export IMMUTA_HOST="$url" IMMUTA_API_KEY="$api_key"
cd "$qs/work"
"$terraform_bin" init -input=false -no-color
"$terraform_bin" apply -input=false -no-color -auto-approve
set +e
"$terraform_bin" plan -input=false -no-color -detailed-exitcode
code=$?
set -e
if [ $code -ne 0 ]; then
    echo "quickstart: the plan after apply was not empty (exit $code)" >&2
    exit 1
fi
echo "quickstart: applied; a second plan shows no changes. State: $qs/work/terraform.tfstate"

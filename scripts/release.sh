#!/usr/bin/env bash
# Builds the provider and lays out what the Terraform Registry, or a
# filesystem mirror, needs for one version and platform:
#
#   dist/terraform-provider-immuta_VERSION_linux_amd64.zip
#   dist/terraform-provider-immuta_VERSION_manifest.json
#   dist/terraform-provider-immuta_VERSION_SHA256SUMS
#
# Usage: scripts/release.sh [--binary PATH] [--out DIR]
#   --binary PATH  package this binary instead of building a release one
#   --out DIR      where to write (default: dist/)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

binary=""
out="$root/dist"
while [ $# -gt 0 ]; do
    case "$1" in
        --binary) binary=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        *) echo "release.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done

version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)
os=linux
case "$(uname -m)" in
    x86_64) arch=amd64 ;;
    aarch64) arch=arm64 ;;
    *) echo "release.sh: unsupported machine $(uname -m)" >&2; exit 1 ;;
esac
name="terraform-provider-immuta_${version}"

if [ -z "$binary" ]; then
    cargo build --quiet --locked --release -p terraform-provider-immuta
    target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
    binary="$target_dir/release/terraform-provider-immuta"
fi
[ -x "$binary" ] || { echo "release.sh: no binary at $binary" >&2; exit 1; }

mkdir -p "$out"
python3 - "$binary" "$out/${name}_${os}_${arch}.zip" "terraform-provider-immuta_v${version}" <<'PY'
import sys, zipfile
src, dest, inner = sys.argv[1:4]
info = zipfile.ZipInfo(inner, date_time=(1980, 1, 1, 0, 0, 0))
info.external_attr = 0o100755 << 16
info.compress_type = zipfile.ZIP_DEFLATED
with open(src, "rb") as f, zipfile.ZipFile(dest, "w") as z:
    z.writestr(info, f.read())
PY
# The protocol versions this build speaks, as the Registry reads them: the
# repository's terraform-registry-manifest.json, shipped under the release's name.
cp terraform-registry-manifest.json "$out/${name}_manifest.json"
(cd "$out" && sha256sum "${name}_${os}_${arch}.zip" "${name}_manifest.json" > "${name}_SHA256SUMS")
echo "$out/${name}_${os}_${arch}.zip"

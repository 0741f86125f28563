#!/usr/bin/env bash
# Regenerates docs/ (Terraform Registry format) from the provider's schema and
# examples/. The docs test fails until the result is committed.
set -euo pipefail
cd "$(dirname "$0")/.."
UPDATE_DOCS=1 cargo test --quiet --test e2e docs::
echo "gen-docs: docs/ regenerated"

#!/usr/bin/env bash
# The throttling bench of docs/reliability.md: 10 runs (RUNS to change) of
# an apply, a second plan and a destroy of 100 integrations against the
# emulator failing 30% of requests (10% 429, 10% 503, 10% dropped
# connections), the provider on its default retry settings. Each run uses
# its own fault seed (SEED, SEED+1, ...). Exits non-zero at the first run
# that loses, doubles or leaves anything, or whose second plan is not empty.
#
#   benches/fault_runs.sh              # 10 runs from seed 30, ~8 min on 2 cores
#   RUNS=3 SEED=100 benches/fault_runs.sh
#
# Runs on the Terraform CLI of IMMUTA_TEST_TERRAFORM, else 1.11 from PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
export RELIABILITY_FAULT_RUNS="${RUNS:-10}"
export RELIABILITY_FAULT_SEED="${SEED:-30}"
export IMMUTA_TEST_TERRAFORM="${IMMUTA_TEST_TERRAFORM:-$(command -v terraform)}"
cargo test --test e2e reliability_faults:: hundred -- --nocapture 2>&1 \
  | grep -E '^(FAULT RUN|test result|thread|  left|  right)'

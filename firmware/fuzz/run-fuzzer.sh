#!/usr/bin/env bash
# Runs one libFuzzer target for a bounded number of inputs, from the seed corpus into a
# scratch corpus; EDGE_FUZZ_SCALE multiplies the number of inputs (default 1).
# usage: run-fuzzer.sh <fuzzer> <seed folder> <inputs> <longest input>
set -euo pipefail
fuzzer="$1" seeds="$2" inputs="$3" max_len="$4"
scale="${EDGE_FUZZ_SCALE:-1}"
[[ "$scale" =~ ^[0-9]+$ ]] || { echo "EDGE_FUZZ_SCALE must be a whole number" >&2; exit 2; }
corpus="$(mktemp -d)"
trap 'rm -rf "$corpus"' EXIT
cp "$seeds"/* "$corpus"/
runs=$((inputs * scale))
"$fuzzer" -runs="$runs" -max_len="$max_len" -timeout=10 -print_final_stats=1 "$corpus" 2>&1 |
  grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb|INFO: Seed|==[0-9]+==|SUMMARY|Done)" || true
exit "${PIPESTATUS[0]}"

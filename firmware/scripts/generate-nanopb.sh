#!/usr/bin/env bash
# Regenerates the nanopb C code for the device wire format (proto/intelledger/device/v1)
# with Debian's nanopb generator, into the folder given (the committed copy by default),
# so a test can generate into a temporary folder and compare.
set -euo pipefail
firmware="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$firmware/components/edge_core/gen}"
command -v nanopb_generator.py >/dev/null || { echo "nanopb_generator.py not found (Debian package nanopb)" >&2; exit 1; }
mkdir -p "$out"
cd "$firmware/../proto"
nanopb_generator.py --quiet -I . -D "$out" intelledger/device/v1/*.proto

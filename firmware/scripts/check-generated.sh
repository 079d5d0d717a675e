#!/usr/bin/env bash
# Fails when the committed nanopb code differs from a fresh generation.
set -euo pipefail
firmware="$(cd "$(dirname "$0")/.." && pwd)"
fresh="$(mktemp -d)"
trap 'rm -rf "$fresh"' EXIT
"$firmware/scripts/generate-nanopb.sh" "$fresh"
if ! diff -r "$fresh" "$firmware/components/edge_core/gen"; then
  echo "components/edge_core/gen is stale: run firmware/scripts/generate-nanopb.sh" >&2
  exit 1
fi
echo "nanopb output up to date"

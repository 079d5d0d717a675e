#!/usr/bin/env bash
# Runs every check and test of the project (see README): type check, lint, then the
# test suite. Arguments go to Vitest, e.g. `npm test -- gateway` for one package.
source "$(dirname "$0")/bootstrap.sh"
cd "$EDGE_ROOT"
step() { printf '\n== %s\n' "$*"; }
ensure_debian_packages scripts/demo-packages.txt
ensure_debian_packages scripts/test-packages.txt
ensure_postgresql
step "type check"
npm run --silent typecheck
step "lint"
npm run --silent lint
# The firmware's C tests run with the whole suite, or when the filter names the firmware; they
# build the device simulator that the gateway's end-to-end tests use.
if [ "$#" -eq 0 ] || [[ "$*" == *firmware* ]]; then
  step "firmware (C core: host, rv32 under QEMU, fuzzers)"
  firmware/scripts/test.sh
fi
step "tests"
node_modules/.bin/vitest run "$@"

#!/usr/bin/env bash
# Runs every check and test of the project (see README): type check, lint, then the
# test suite. Arguments go to Vitest, e.g. `npm test -- gateway` for one package.
source "$(dirname "$0")/bootstrap.sh"
cd "$EDGE_ROOT"
step() { printf '\n== %s\n' "$*"; }
ensure_debian_packages scripts/test-packages.txt
step "type check"
npm run --silent typecheck
step "lint"
npm run --silent lint
step "tests"
node_modules/.bin/vitest run "$@"

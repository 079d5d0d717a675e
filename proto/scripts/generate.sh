#!/usr/bin/env bash
# Regenerates the TypeScript for every .proto into the folder given (src/gen by default),
# so a check can generate into a temporary folder and compare.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-src/gen}"
bin=../node_modules/.bin
[ -x "$bin/buf" ] || bin=node_modules/.bin
rm -rf "$out"
"$bin/buf" generate --template "$(sed "s#out: src/gen#out: $out#; s#node_modules/.bin#$bin#" buf.gen.yaml)"

#!/usr/bin/env bash
# Starts the whole system on embedded defaults (see README). Arguments go to the demo,
# e.g. --devices 20 --interval-ms 500 --mqtt-port 0.
source "$(dirname "$0")/bootstrap.sh"
cd "$EDGE_ROOT"
ensure_debian_packages scripts/demo-packages.txt
exec node --import tsx scripts/demo/start-demo.ts "$@"

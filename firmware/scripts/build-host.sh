#!/usr/bin/env bash
# Builds the firmware core for the host: unit tests and the device simulator
# (firmware/build/host/simulator/edge-device-sim, whose path it prints last). Configures
# once; later runs only rebuild what changed.
set -euo pipefail
firmware="$(cd "$(dirname "$0")/.." && pwd)"
build="$firmware/build/host"
if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S "$firmware/host" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
cmake --build "$build" -j2 >/dev/null
echo "$build/simulator/edge-device-sim"

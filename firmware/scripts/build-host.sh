#!/usr/bin/env bash
# Builds the firmware core for the host: unit tests and the device simulator
# (firmware/build/host/simulator/edge-device-sim, whose path it prints last). Configures
# once; later runs only rebuild what changed.
set -euo pipefail
firmware="$(cd "$(dirname "$0")/.." && pwd)"
build="$firmware/build/host"
mkdir -p "$build"
# Test files run in parallel and may all ask for the simulator at once: one build at a time.
exec 9>"$build/.build-lock"
flock 9
# A configure cut short leaves a cache without a Makefile: configure again then.
if [ ! -f "$build/CMakeCache.txt" ] || [ ! -f "$build/Makefile" ]; then
  cmake -S "$firmware/host" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
cmake --build "$build" -j2 >/dev/null
echo "$build/simulator/edge-device-sim"

#!/usr/bin/env bash
# Builds and tests the firmware core three ways: on the host (unit tests, and the device
# simulator end to end over a socat pty and Mosquitto), cross-compiled for 32-bit RISC-V and
# run under qemu-system-riscv32 (printing the core's code and RAM size), and instrumented with
# libFuzzer, ASan and UBSan. EDGE_FUZZ_SCALE multiplies the fuzzers' inputs.
set -euo pipefail
firmware="$(cd "$(dirname "$0")/.." && pwd)"
step() { printf -- '-- %s\n' "$*"; }
run_ctest() {
  local log
  log="$(mktemp)"
  if ctest --test-dir "$1" -j2 --output-on-failure --timeout 600 >"$log" 2>&1; then
    grep -E "tests passed|Total Test time" "$log"
    rm -f "$log"
  else
    cat "$log"
    rm -f "$log"
    return 1
  fi
}

step "host build and tests"
"$firmware/scripts/build-host.sh" >/dev/null
run_ctest "$firmware/build/host"

eval "$("$firmware/scripts/prepare-rv32-deps.sh")"

step "rv32imac build (QEMU virt, picolibc) and tests"
rv32="$firmware/build/rv32"
if [ ! -f "$rv32/CMakeCache.txt" ]; then
  cmake -S "$firmware/host" -B "$rv32" -DCMAKE_TOOLCHAIN_FILE="$firmware/host/rv32/toolchain.cmake" \
    -DEDGE_NANOPB_SRC="$NANOPB_SRC" -DEDGE_MBEDTLS_PREFIX="$MBEDTLS_PREFIX" >/dev/null
fi
cmake --build "$rv32" -j2 | sed -n '/^firmware core for rv32imac/,/^  total/p'
run_ctest "$rv32"

step "fuzzers (clang, libFuzzer, ASan, UBSan) and sanitized unit tests"
fuzz="$firmware/build/fuzz"
if [ ! -f "$fuzz/CMakeCache.txt" ]; then
  CC=clang cmake -S "$firmware/host" -B "$fuzz" -DEDGE_FUZZ=ON -DEDGE_NANOPB_SRC="$NANOPB_SRC" >/dev/null
fi
cmake --build "$fuzz" -j2 >/dev/null
run_ctest "$fuzz"

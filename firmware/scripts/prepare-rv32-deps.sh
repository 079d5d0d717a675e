#!/usr/bin/env bash
# Prepares what the 32-bit RISC-V build of the core needs besides the compiler, under
# firmware/build/cache (never committed): the Debian source packages of nanopb (its runtime
# is compiled with the core) and mbedTLS, and mbedTLS's crypto library cross-compiled with
# host/rv32/mbedtls_config.h. Only the first run pays; later runs check a stamp and return.
# Prints the two folders as NANOPB_SRC=... and MBEDTLS_PREFIX=... lines.
set -euo pipefail
firmware="$(cd "$(dirname "$0")/.." && pwd)"
cache="$firmware/build/cache"
config="$firmware/host/rv32/mbedtls_config.h"
cc=riscv64-unknown-elf-gcc
cflags=(--specs=picolibc.specs -march=rv32imac -mabi=ilp32 -Os -ffunction-sections -fdata-sections
  "-DMBEDTLS_CONFIG_FILE=\"$config\"")

log() { printf '[rv32-deps] %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# apt-get source needs deb-src entries; Debian images ship only binary ones.
ensure_deb_src() {
  if apt-get source --print-uris "$1" >/dev/null 2>&1; then return 0; fi
  log "adding Debian source entries (deb-src) for $(. /etc/os-release && echo "$VERSION_CODENAME")"
  local codename
  codename="$(. /etc/os-release && echo "$VERSION_CODENAME")"
  as_root tee /etc/apt/sources.list.d/debian-sources.sources >/dev/null <<SOURCES
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: $codename $codename-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://deb.debian.org/debian-security
Suites: $codename-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
  as_root apt-get update -qq
}

# Unpacks the Debian source package into $cache/src/<package>; prints its folder.
source_of() {
  local package="$1" dir="$cache/src/$1"
  if [ ! -f "$dir/.unpacked" ]; then
    ensure_deb_src "$package"
    log "fetching the Debian source package of $package"
    rm -rf "$dir" && mkdir -p "$dir"
    (cd "$dir" && apt-get source --only-source -qq "$package" >/dev/null 2>&1)
    touch "$dir/.unpacked"
  fi
  find "$dir" -mindepth 1 -maxdepth 1 -type d -name "$package-*" | head -n1
}

nanopb_src="$(source_of nanopb)"
mbedtls_src="$(source_of mbedtls)"

prefix="$cache/rv32-mbedtls"
stamp="$(cat "$config" | sha256sum | cut -c1-16) $(basename "$mbedtls_src") $($cc --version | head -n1)"
if [ ! -f "$prefix/.stamp" ] || [ "$(cat "$prefix/.stamp")" != "$stamp" ]; then
  log "cross-compiling mbedTLS ($(basename "$mbedtls_src")) for rv32imac"
  rm -rf "$prefix" && mkdir -p "$prefix/obj" "$prefix/lib"
  export cc
  printf '%s\n' "$mbedtls_src"/library/*.c | CFLAGS="${cflags[*]}" INCLUDE="$mbedtls_src/include" OBJ="$prefix/obj" \
    xargs -P 2 -I{} sh -c '$0 $CFLAGS -I"$INCLUDE" -c "$1" -o "$OBJ/$(basename "$1" .c).o"' "$cc" {}
  riscv64-unknown-elf-ar rcs "$prefix/lib/libmbedcrypto.a" "$prefix"/obj/*.o
  rm -rf "$prefix/obj"
  ln -s "$mbedtls_src/include" "$prefix/include"
  echo "$stamp" >"$prefix/.stamp"
fi

echo "NANOPB_SRC=$nanopb_src"
echo "MBEDTLS_PREFIX=$prefix"

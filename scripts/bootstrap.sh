#!/usr/bin/env bash
# Sourced by every project command: makes sure a Node.js >= 22 is on PATH (installing
# Node 24 from the npm registry into .tools/ when the system's is older) and that the
# workspace's dependencies are installed for it. Never touches the system's Node.
set -euo pipefail

EDGE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
EDGE_NODE_MAJOR=24
EDGE_TOOLS="$EDGE_ROOT/.tools"

log() { printf '[setup] %s\n' "$*" >&2; }

node_major() { "${1:-node}" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

ensure_node() {
  local local_node="$EDGE_TOOLS/node/bin/node"
  if [ -x "$local_node" ]; then
    :
  elif command -v node >/dev/null && [ "$(node_major)" -ge 22 ]; then
    return 0
  else
    local arch
    case "$(uname -m)" in
      x86_64) arch=x64 ;;
      aarch64 | arm64) arch=arm64 ;;
      *) log "no Node.js $EDGE_NODE_MAJOR package for $(uname -m); install Node.js >= 22 yourself"; exit 1 ;;
    esac
    log "system Node.js is $(node --version 2>/dev/null || echo missing); installing Node.js $EDGE_NODE_MAJOR into .tools/node"
    local work
    work="$(mktemp -d)"
    (cd "$work" && npm pack --silent "node-linux-$arch@$EDGE_NODE_MAJOR" >/dev/null)
    rm -rf "$EDGE_TOOLS/node" && mkdir -p "$EDGE_TOOLS/node"
    tar xzf "$work"/node-linux-*.tgz -C "$EDGE_TOOLS/node" --strip-components=1
    rm -rf "$work"
  fi
  export PATH="$EDGE_TOOLS/node/bin:$PATH"
  # Native addons (better-sqlite3, serialport) must build against this Node's headers.
  export npm_config_nodedir="$EDGE_TOOLS/node"
}

ensure_dependencies() {
  # Install only when the lockfile changed since the last install, or for another Node.
  local stamp="$EDGE_ROOT/node_modules/.edge-install-stamp"
  local want
  want="$(node --version) $(sha256sum "$EDGE_ROOT/package-lock.json" | cut -d' ' -f1)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then return 0; fi
  log "installing dependencies with Node.js $(node --version)"
  # No install scripts: every native module used ships prebuilt binaries inside its package,
  # and some scripts would fetch from outside the npm registry (CUDA, Electron) or compile,
  # whatever npm version runs them.
  (cd "$EDGE_ROOT" && ONNXRUNTIME_NODE_INSTALL=skip ELECTRON_SKIP_BINARY_DOWNLOAD=1 npm ci --ignore-scripts --no-fund --no-audit)
  echo "$want" >"$stamp"
}

# Installs Debian packages listed in a file (one per line, # comments) when missing.
ensure_debian_packages() {
  local list="$1" missing=() package
  while read -r package; do
    package="${package%%#*}"
    package="${package// /}"
    [ -n "$package" ] || continue
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" || missing+=("$package")
  done <"$list"
  [ "${#missing[@]}" -eq 0 ] && return 0
  log "installing Debian packages: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Starts the machine's PostgreSQL (for the relay's tests on PostgreSQL) when nothing answers on
# 127.0.0.1:5432: the newest installed version's cluster "main", created with trust
# authentication for local connections if there is none yet. Debian's cluster tools do it.
ensure_postgresql() {
  pg_isready -q -h 127.0.0.1 -p 5432 && return 0
  local sudo="" version
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  version="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
  if ! pg_lsclusters -h "$version" main >/dev/null 2>&1; then
    log "creating the PostgreSQL $version cluster main (trust for local connections)"
    $sudo pg_createcluster "$version" main -- --auth-host=trust --auth-local=trust >/dev/null
  fi
  log "starting PostgreSQL $version"
  $sudo pg_ctlcluster "$version" main start || true
  local attempt
  for attempt in $(seq 1 30); do
    pg_isready -q -h 127.0.0.1 -p 5432 && return 0
    sleep 1
  done
  log "PostgreSQL does not answer on 127.0.0.1:5432 after $attempt s; see /var/log/postgresql/"
  exit 1
}

ensure_node
ensure_dependencies

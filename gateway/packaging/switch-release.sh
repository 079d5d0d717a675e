#!/bin/sh
# Switches the gateway to a release under /opt/intelledger/gateway (releases/<version> or
# kept/<version>): checks that its Node.js and modules load here, points `current` at it in
# one rename, restarts the service and watches it; when the release does not stay up,
# points back at the one before and restarts that.
#   usage: switch-release <releases/VERSION | kept/VERSION>
#   INTELLEDGER_SWITCH_WATCH_S: how long the restarted gateway must stay up (default 45 s,
#   longer than WatchdogSec, so a release that stops petting the watchdog is caught).
set -eu
base="${DPKG_ROOT:-}/opt/intelledger/gateway"
target="${1:?usage: switch-release <releases/VERSION | kept/VERSION>}"
watch_s="${INTELLEDGER_SWITCH_WATCH_S:-45}"
previous="$(readlink "$base/current" 2>/dev/null || true)"
unit=intelledger-gateway.service

point_at() {
  ln -sfn "$1" "$base/current.new"
  mv -T "$base/current.new" "$base/current"
}

runs_here() {
  "$base/$1/node/bin/node" --import "$base/$1/app/node_modules/tsx/dist/loader.mjs" \
    "$base/$1/app/node_modules/@intelledger/gateway/src/cli.ts" version
}

stays_up() {
  systemctl restart "$unit" || return 1
  sleep "$watch_s"
  systemctl is-active --quiet "$unit" && [ "$(systemctl show -P NRestarts "$unit")" = 0 ]
}

if ! checked="$(runs_here "$target" 2>&1)"; then
  echo "switch-release: $target does not run on this machine, staying on ${previous:-nothing}:" >&2
  echo "$checked" | tail -n 5 >&2
  exit 1
fi
point_at "$target"
if [ -z "${DPKG_ROOT:-}" ] && [ -d /run/systemd/system ] && systemctl is-enabled --quiet "$unit"; then
  if ! stays_up; then
    echo "switch-release: the gateway did not stay up on $target, back to ${previous:-nothing}" >&2
    if [ -n "$previous" ]; then
      point_at "$previous"
      systemctl restart "$unit" || true
    fi
    exit 1
  fi
fi
echo "switch-release: the gateway runs $target ($checked)"

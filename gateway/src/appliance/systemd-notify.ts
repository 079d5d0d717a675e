// sd_notify(3) as libsystemd implements it, called through koffi's FFI: Node has no Unix
// datagram sockets, and libsystemd is on every system that runs the gateway under systemd.
import { getSystemErrorName } from "node:util";
import koffi from "koffi";
import { GatewayError } from "../errors.js";

/** What the gateway tells the service manager: READY=1, WATCHDOG=1, STATUS=…, STOPPING=1. */
export interface ServiceManager {
  /** The watchdog interval the unit set (WatchdogSec), in milliseconds; undefined without one. */
  readonly watchdogMs: number | undefined;
  notify(fields: Record<string, string>): void;
}

/**
 * The service manager the gateway runs under, when it runs under one (NOTIFY_SOCKET set):
 * systemd with `Type=notify`, or a test listening on a socket of its own.
 */
export function systemdServiceManager(env: NodeJS.ProcessEnv = process.env): ServiceManager | undefined {
  if (!env.NOTIFY_SOCKET) return undefined;
  const libsystemd = koffi.load("libsystemd.so.0");
  const sdNotify = libsystemd.func("int sd_notify(int unset_environment, const char *state)");
  const sdWatchdogEnabled = libsystemd.func("int sd_watchdog_enabled(int unset_environment, _Out_ uint64_t *usec)");
  const usec: [bigint | number] = [0];
  const enabled = sdWatchdogEnabled(0, usec) as number;
  return {
    watchdogMs: enabled > 0 ? Number(usec[0]) / 1_000 : undefined,
    notify(fields) {
      // One line per field, each ending in a newline, so a reader of a byte stream can split them.
      const state = Object.entries(fields)
        .map(([key, value]) => `${key}=${value.replaceAll("\n", " ")}\n`)
        .join("");
      const result = sdNotify(0, state) as number;
      if (result < 0) {
        // sd_notify returns a negated errno, as libuv's error codes are on Linux.
        const told = Object.keys(fields).join(", ");
        throw new GatewayError(`telling the service manager ${told} failed with ${getSystemErrorName(result)}`, {
          errno: -result,
        });
      }
    },
  };
}

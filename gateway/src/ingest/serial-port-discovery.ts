import { existsSync, readdirSync, realpathSync } from "node:fs";
import { join } from "node:path";

const BY_ID = "/dev/serial/by-id";
const USB_SERIAL = /^tty(USB|ACM)\d+$/;

/**
 * The serial ports to watch now: configured paths that exist, and for "auto" every USB
 * serial adapter. Found by listing /dev rather than asking udev, which a minimal gateway
 * image may not run. Paths naming the same device are kept once.
 */
export function discoverSerialPorts(configured: readonly string[]): string[] {
  const found = new Map<string, string>();
  const add = (path: string) => {
    if (!existsSync(path)) return;
    const device = realpathSync(path);
    if (!found.has(device)) found.set(device, path);
  };
  for (const entry of configured) {
    if (entry !== "auto") {
      add(entry);
      continue;
    }
    if (existsSync(BY_ID)) for (const name of readdirSync(BY_ID)) add(join(BY_ID, name));
    for (const name of readdirSync("/dev")) if (USB_SERIAL.test(name)) add(join("/dev", name));
  }
  return [...found.values()];
}

import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { Gateway } from "@intelledger/gateway";

const firmwareDir = join(import.meta.dirname, "../../firmware");

/** Builds the firmware's host simulator if needed (fast when up to date); returns its path. */
export function buildDeviceSimulator(): string {
  return (
    execFileSync("bash", [join(firmwareDir, "scripts/build-host.sh")], { encoding: "utf8" })
      .trim()
      .split("\n")
      .at(-1) ?? ""
  );
}

export type SimulatorEvent = { event: string } & Record<string, unknown>;

/**
 * The firmware's device simulator (the portable C core an ESP32 runs) as a process, with
 * its JSON-lines output collected as events.
 */
export class DeviceSimulatorProcess {
  readonly events: SimulatorEvent[] = [];
  private readonly child: ChildProcess;
  private readonly waiters: { match: (event: SimulatorEvent) => boolean; resolve: (event: SimulatorEvent) => void }[] = [];

  private constructor(child: ChildProcess) {
    this.child = child;
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
      let event: SimulatorEvent;
      try {
        event = JSON.parse(line) as SimulatorEvent;
      } catch {
        return;
      }
      this.events.push(event);
      for (const waiter of [...this.waiters]) {
        if (!waiter.match(event)) continue;
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve(event);
      }
    });
  }

  /** The device's public point (hex), creating its key in the state folder if needed. */
  static publicKey(binary: string, deviceId: string, stateDir: string): string {
    return execFileSync(binary, ["--device-id", deviceId, "--state-dir", stateDir, "--print-public-key"], {
      encoding: "utf8",
    }).trim();
  }

  /** Starts the simulator; `env` adds variables, such as EDGE_MQTT_PASSWORD (kept off the command line). */
  static start(binary: string, args: string[], env: Record<string, string> = {}): DeviceSimulatorProcess {
    return new DeviceSimulatorProcess(
      spawn(binary, args, { stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, ...env } }),
    );
  }

  /** The device's public point as a gateway registers it, creating its key in the state folder if needed. */
  static publicKeyPoint(binary: string, deviceId: string, stateDir: string): Uint8Array {
    return Uint8Array.from(Buffer.from(DeviceSimulatorProcess.publicKey(binary, deviceId, stateDir), "hex"));
  }

  /**
   * Starts the simulator as a device registered with `gateway`: `deviceId` with its key and
   * counters in `stateDir`, sampling every `intervalMs`, reaching the gateway over `link` (its
   * options, such as `--mqtt <url>` or `--serial <path>`) and taking the commands the gateway signs.
   */
  static startRegistered(
    binary: string,
    gateway: Pick<Gateway, "commandPublicKey">,
    device: { deviceId: string; stateDir: string; intervalMs: number; link: string[] },
    env: Record<string, string> = {},
  ): DeviceSimulatorProcess {
    const args = ["--device-id", device.deviceId, "--state-dir", device.stateDir, ...device.link];
    const gatewayKey = Buffer.from(gateway.commandPublicKey).toString("hex");
    return DeviceSimulatorProcess.start(
      binary,
      [...args, "--gateway-key", gatewayKey, "--interval-ms", String(device.intervalMs)],
      env,
    );
  }

  /** The first event (already seen or still to come) that matches. */
  next(match: (event: SimulatorEvent) => boolean, timeoutMs = 30_000): Promise<SimulatorEvent> {
    const seen = this.events.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no matching simulator event in ${timeoutMs} ms; saw ${JSON.stringify(this.events.slice(-5))}`)),
        timeoutMs,
      );
      this.waiters.push({
        match,
        resolve: (event) => {
          clearTimeout(timer);
          resolve(event);
        },
      });
    });
  }

  /** Presses the device's provisioning button (SIGUSR1): a provisioned device may be provisioned again for a while. */
  pressProvisioningButton(): void {
    this.child.kill("SIGUSR1");
  }

  async stop(): Promise<number | null> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.child.exitCode;
    const exited = once(this.child, "exit") as Promise<[number | null]>;
    this.child.kill("SIGTERM");
    const [code] = await exited;
    return code;
  }
}

import type { MqttCredentials } from "@intelledger/gateway";
import { referenceSensors, SimulatedDevice } from "@intelledger/test-support";
import { withTimeout } from "./soak-helpers.js";

/** How long a device waits for the gateway's answer to a frame before it sends it again. */
const ANSWER_TIMEOUT_MS = 30_000;

/**
 * Simulated devices publishing as fast as the gateway acknowledges, remembering exactly
 * which frames the gateway acknowledged. Like the firmware, each device has one frame in
 * flight and sends in counter order (the device contract: a frame older than one the
 * gateway took is a replay to it).
 */
export class DeviceFleet {
  readonly devices: SimulatedDevice[];
  /** Each frame carries one sample of each reference sensor. */
  readonly samplesPerFrame = referenceSensors().length;
  /** Counters the gateway acknowledged, per device id. */
  readonly acked = new Map<string, Set<number>>();
  private running = false;
  private stopped = false;
  private loops: Promise<void>[] = [];
  /** Frames sent again because the gateway did not answer in time. */
  resent = 0;
  /** The counter each device is waiting to have acknowledged, if any. */
  private readonly inFlight = new Map<string, number>();

  constructor(count: number, prefix = "fleet") {
    this.devices = Array.from({ length: count }, (_, i) => new SimulatedDevice(`${prefix}-${String(i + 1).padStart(3, "0")}`));
    for (const device of this.devices) this.acked.set(device.deviceId, new Set());
  }

  /** Connects every device with its MQTT login (user name = device id). */
  async connect(brokerUrl: string, logins: readonly MqttCredentials[]): Promise<void> {
    const passwords = new Map(logins.map((login) => [login.username, login.password]));
    await Promise.all(
      this.devices.map((device) =>
        device.connect(brokerUrl, { username: device.deviceId, password: passwords.get(device.deviceId) ?? "" }),
      ),
    );
  }

  /** Publishes from every device, one frame at a time, at most one every `intervalMs`. */
  start(options: { intervalMs: number }): void {
    this.running = true;
    this.loops = this.devices.map(async (device) => {
      const pending = new Set<Promise<void>>();
      while (this.running) {
        while (pending.size > 0) await Promise.race(pending);
        const bytes = device.nextFrameBytes();
        const counter = device.counter;
        this.inFlight.set(device.deviceId, counter);
        const settle = () => {
          this.inFlight.delete(device.deviceId);
          pending.delete(publish);
        };
        const publish: Promise<void> = this.publishUntilAnswered(device, bytes).then((acked) => {
          if (acked) this.acked.get(device.deviceId)?.add(counter);
          settle();
        }, settle);
        pending.add(publish);
        await new Promise((resolve) => setTimeout(resolve, options.intervalMs));
      }
      await Promise.allSettled(pending);
    });
  }

  /**
   * Like the firmware, a device keeps a frame until the gateway answers it, and sends it
   * again over a fresh connection when no answer came in time; resolves whether it was
   * acknowledged (false when publishing failed outright).
   */
  private async publishUntilAnswered(device: SimulatedDevice, bytes: Uint8Array): Promise<boolean> {
    for (;;) {
      let unanswered = false;
      try {
        await withTimeout(device.publishFrame(bytes), ANSWER_TIMEOUT_MS, () => {
          unanswered = true;
          return `no answer from the gateway in ${ANSWER_TIMEOUT_MS} ms`;
        });
        return true;
      } catch {
        if (!unanswered || this.stopped) return false;
      }
      this.resent++;
      await device.reconnect();
    }
  }

  /**
   * Stops making frames and waits until every frame in flight was acknowledged or failed;
   * fails after `timeoutMs`, naming the frames still unanswered.
   */
  async drain(timeoutMs = 120_000): Promise<void> {
    this.running = false;
    await withTimeout(Promise.all(this.loops), timeoutMs, () => {
      const waiting = [...this.inFlight].map(([deviceId, counter]) => `${deviceId}#${counter}`).join(", ");
      return `frames still unacknowledged after ${timeoutMs} ms: ${waiting}`;
    });
  }

  async stop(): Promise<void> {
    this.running = false;
    this.stopped = true;
    await Promise.all(this.devices.map((device) => device.stop()));
    await Promise.all(this.loops);
  }

  ackedFrameCount(): number {
    return [...this.acked.values()].reduce((sum, counters) => sum + counters.size, 0);
  }
}

import { SimulatedDevice } from "@intelledger/test-support";
import type { Gateway } from "../src/gateway.js";
import { GatewayClient } from "../test/gateway-client.js";

/** An API token of a technician who paired `gateway`, for the bench's own requests. */
export async function benchToken(gateway: Gateway, label: string): Promise<string> {
  const client = new GatewayClient(gateway.httpPort);
  return client.apiToken(await client.pair(gateway.pairingCode ?? "", "bench"), label);
}

/**
 * The reference load: `count` simulated devices registered on `gateway` and logged in to its
 * broker, each sampling its three channels once a second once `run()` starts them.
 */
export async function connectReferenceFleet(gateway: Gateway, count: number) {
  const devices = Array.from({ length: count }, (_, i) => new SimulatedDevice(`bench-${i}`));
  for (const device of devices) {
    gateway.devices.register(device.deviceId, device.publicKeyPoint);
    await device.connect(`mqtt://127.0.0.1:${gateway.mqttPort}`, gateway.devices.issueMqttCredentials(device.deviceId));
  }
  return {
    /** Starts the devices at spread-out moments, as a real fleet would. */
    run(): void {
      devices.forEach((device, i) =>
        setTimeout(() => device.run(1_000, (error) => console.error(error)), Math.floor((i * 1_000) / count)),
      );
    },
    async stop(): Promise<void> {
      for (const device of devices) await device.stop();
    },
  };
}

/**
 * Lets the running fleet settle for 3 s, then calls `measuring(true)`, waits `seconds` and calls
 * `measuring(false)`; returns when the measured window started and how long it lasted, in seconds.
 */
export async function measuredWindow(
  seconds: number,
  measuring: (on: boolean) => void,
): Promise<{ startedAt: number; seconds: number }> {
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  measuring(true);
  const startedAt = Date.now();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1_000));
  measuring(false);
  return { startedAt, seconds: (Date.now() - startedAt) / 1_000 };
}

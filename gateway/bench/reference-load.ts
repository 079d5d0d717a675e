import { SimulatedDevice } from "@intelledger/test-support";
import { pino } from "pino";
import type { GatewayConfigInput } from "../src/config.js";
import type { Gateway } from "../src/gateway.js";
import { GatewayClient } from "../test/gateway-client.js";
import { LiveClient, type ReceivedEvent } from "../test/live-client.js";
import { startTestGateway } from "../test/test-gateway.js";

/** An API token of a technician who paired `gateway`, for the bench's own requests. */
async function benchToken(gateway: Gateway): Promise<string> {
  const client = new GatewayClient(gateway.httpPort);
  return client.apiToken(await client.pair(gateway.pairingCode ?? "", "bench"), "latency bench");
}

/**
 * The reference load: `count` simulated devices registered on `gateway` and logged in to its
 * broker, each sampling its three channels once a second once `run()` starts them.
 */
async function connectReferenceFleet(gateway: Gateway, count: number) {
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
async function measuredWindow(
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

/**
 * A latency bench's gateway at the reference load: a test gateway started with `overrides`
 * (logging its errors) and `devices` simulated devices connected to it, not yet sampling.
 */
export async function startReferenceLoad(overrides: Partial<GatewayConfigInput>, devices: number) {
  const running = await startTestGateway(overrides, pino({ level: "error" }));
  const fleet = await connectReferenceFleet(running.gateway, devices);
  const live = new LiveClient();
  return {
    gateway: running.gateway,
    dataDir: running.dataDir,
    /** The client of the live stream `measureLive` opens. */
    live,
    /**
     * Opens GET /api/live?`query` as a paired technician, starts the fleet and measures for
     * `seconds` (see measuredWindow), passing `onEvent` the events received in the measured window.
     */
    async measureLive(query: string, seconds: number, onEvent: (event: ReceivedEvent) => void) {
      let measuring = false;
      await live.open(`${running.url}/api/live?${query}`, await benchToken(running.gateway), (event) => {
        if (measuring) onEvent(event);
      });
      fleet.run();
      return measuredWindow(seconds, (on) => (measuring = on));
    },
    async stop(): Promise<void> {
      await live.close();
      await fleet.stop();
      await running.stop();
    },
  };
}

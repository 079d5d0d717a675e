import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Gateway } from "@intelledger/gateway";
import { SimulatedDevice } from "@intelledger/test-support";
import { PtyPair } from "@intelledger/test-support";
import type { Logger } from "pino";
import { DeviceSimulatorProcess } from "./device-simulator.js";

/** Simulated sensor nodes feeding the demo's gateway. */
export interface DemoFleet {
  readonly deviceIds: readonly string[];
  /** Serial ports the gateway must watch for this fleet (the gateway ends of its cables). */
  readonly serialPorts: readonly string[];
  /** Provisions every device with the gateway and starts them. */
  start(gateway: Gateway): Promise<void>;
  stop(): Promise<void>;
}

const deviceId = (prefix: string, index: number) => `${prefix}-${String(index).padStart(3, "0")}`;

/**
 * The firmware's C core as device simulators, one process per node: most talk MQTT to the
 * gateway's broker, some are on serial cables (socat pseudo-terminal pairs).
 */
export async function firmwareFleet(options: {
  binary: string;
  dir: string;
  mqttDevices: number;
  serialDevices: number;
  intervalMs: number;
}): Promise<DemoFleet> {
  const { binary, dir, intervalMs } = options;
  const cables: PtyPair[] = [];
  for (let i = 1; i <= options.serialDevices; i++) {
    const cableDir = join(dir, `cable-${i}`);
    mkdirSync(cableDir, { recursive: true });
    cables.push(await PtyPair.open(cableDir));
  }
  const mqttIds = Array.from({ length: options.mqttDevices }, (_, i) => deviceId("esp32-mqtt", i + 1));
  const serialIds = cables.map((_, i) => deviceId("esp32-uart", i + 1));
  const processes: DeviceSimulatorProcess[] = [];
  return {
    deviceIds: [...mqttIds, ...serialIds],
    serialPorts: cables.map((cable) => cable.gatewayPath),
    async start(gateway) {
      const launch = (id: string, link: string[]) => {
        const stateDir = join(dir, id);
        gateway.devices.register(id, DeviceSimulatorProcess.publicKeyPoint(binary, id, stateDir));
        // Over MQTT a device logs in as itself with the token the gateway issued it.
        const mqtt = link[0] === "--mqtt";
        const env: Record<string, string> = mqtt ? { EDGE_MQTT_PASSWORD: gateway.devices.issueMqttCredentials(id).password } : {};
        const login = mqtt ? ["--mqtt-username", id] : [];
        const device = { deviceId: id, stateDir, intervalMs, link: [...link, ...login] };
        processes.push(DeviceSimulatorProcess.startRegistered(binary, gateway, device, env));
      };
      for (const id of mqttIds) launch(id, ["--mqtt", `mqtt://127.0.0.1:${gateway.mqttPort}`]);
      serialIds.forEach((id, i) => launch(id, ["--serial", cables[i]?.devicePath ?? ""]));
      await Promise.all(processes.map((process) => process.next((event) => event.event === "started")));
    },
    async stop() {
      await Promise.all(processes.map((process) => process.stop()));
      await Promise.all(cables.map((cable) => cable.close()));
    },
  };
}

/** TypeScript stand-ins for sensor nodes, in process: light, for tests. */
export function typescriptFleet(options: { devices: number; intervalMs: number; logger: Logger }): DemoFleet {
  const devices = Array.from({ length: options.devices }, (_, i) => new SimulatedDevice(deviceId("sim-node", i + 1)));
  return {
    deviceIds: devices.map((device) => device.deviceId),
    serialPorts: [],
    async start(gateway) {
      for (const device of devices) {
        gateway.devices.register(device.deviceId, device.publicKeyPoint);
        await device.connect(`mqtt://127.0.0.1:${gateway.mqttPort}`, gateway.devices.issueMqttCredentials(device.deviceId));
        device.run(options.intervalMs, (error) =>
          options.logger.warn({ err: error, deviceId: device.deviceId }, "simulated device could not publish"),
        );
      }
    },
    async stop() {
      await Promise.all(devices.map((device) => device.stop()));
    },
  };
}

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseGatewayConfig, startGateway, type Gateway } from "@intelledger/gateway";
import { freePort, PrivateMosquitto, PtyPair, SimulatedRadioCentral } from "@intelledger/test-support";
import { CommandResult } from "@intelledger/proto/device";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { DeviceSimulatorProcess } from "../demo/device-simulator.js";
import { SimulatorSuite } from "./simulator-suite.js";
import { waitFor } from "./soak-helpers.js";

const logger = pino({ level: "silent" });
const suite = new SimulatorSuite();

/** The folder where the simulated device `deviceId` keeps its key and counters. */
function stateDirOf(deviceId: string): string {
  return join(suite.dir, deviceId);
}

/** Registers the simulated device with the gateway under its own key, as provisioning would. */
function provision(gateway: Gateway, deviceId: string): void {
  gateway.devices.register(deviceId, DeviceSimulatorProcess.publicKeyPoint(suite.binary, deviceId, stateDirOf(deviceId)));
}

/**
 * Starts the provisioned device `deviceId`, sending a frame every 100 ms to the gateway over the
 * link its `link` options name, and stops it after the test.
 */
function startSimulator(
  gateway: Gateway,
  deviceId: string,
  link: string[],
  env: Record<string, string> = {},
): DeviceSimulatorProcess {
  const device = { deviceId, stateDir: stateDirOf(deviceId), intervalMs: 100, link };
  const simulator = DeviceSimulatorProcess.startRegistered(suite.binary, gateway, device, env);
  suite.defer(() => simulator.stop());
  return simulator;
}

/** The simulator's readings arrive verified, and a command reaches it and is acknowledged. */
async function exerciseDevice(gateway: Gateway, simulator: DeviceSimulatorProcess, deviceId: string): Promise<void> {
  await waitFor(() => gateway.snapshot().ingest.framesAccepted >= 5, 60_000, "five frames from the simulator");
  expect(gateway.snapshot().ingest.rejected).toMatchObject({ bad_signature: 0, malformed: 0, invalid_sample: 0 });
  const stored = gateway.readings.between(1, 15).filter((reading) => reading.deviceId === deviceId);
  expect(stored.length).toBeGreaterThanOrEqual(10);
  // Every stored frame is one the simulator says it sent; its stdout line may arrive after the gateway stored the frame.
  const storedCounters = [...new Set(stored.map((reading) => Number(reading.frameCounter)))];
  const sentCounters = () => simulator.events.filter((event) => event.event === "frame_sent").map((event) => event.counter);
  await waitFor(
    () => storedCounters.every((counter) => sentCounters().includes(counter)),
    10_000,
    "the simulator's frame_sent line for every stored frame",
  );

  const outcome = await gateway.sendCommand(deviceId, { $case: "setSamplingInterval", value: { intervalMs: 250 } });
  expect(outcome.result).toBe(CommandResult.COMMAND_RESULT_APPLIED);
  const applied = await simulator.next((event) => event.event === "command" && event.commandId === outcome.commandId);
  expect(applied.result).toMatch(/APPLIED/i);
}

describe("the firmware's device simulator against the gateway", () => {
  it("over a socat pty", async () => {
    suite.folder("sim-serial-");
    const pty = await PtyPair.open(suite.dir);
    suite.defer(() => pty.close());
    const gateway = await startGateway(
      parseGatewayConfig({
        dataDir: join(suite.dir, "gateway"),
        mqtt: { port: 0 },
        serial: { ports: [pty.gatewayPath], rescanIntervalMs: 100 },
      }),
      logger,
    );
    suite.defer(() => gateway.stop());
    provision(gateway, "c-sim-serial");
    const simulator = startSimulator(gateway, "c-sim-serial", ["--serial", pty.devicePath]);
    await exerciseDevice(gateway, simulator, "c-sim-serial");
  }, 120_000);

  it("over BLE through the simulated radio", async () => {
    suite.folder("sim-ble-");
    const radio = join(suite.dir, "radio");
    const gateway = await startGateway(parseGatewayConfig({ dataDir: join(suite.dir, "gateway"), mqtt: { port: 0 } }), logger, {
      bleCentral: new SimulatedRadioCentral({ dir: radio, logger }),
    });
    suite.defer(() => gateway.stop());
    provision(gateway, "c-sim-ble");
    const simulator = startSimulator(gateway, "c-sim-ble", ["--ble-radio", radio, "--ble-mtu", "23"]);
    await exerciseDevice(gateway, simulator, "c-sim-ble");
  }, 120_000);

  it("over MQTT to the gateway's own broker, logged in with the token the gateway issued", async () => {
    suite.folder("sim-embedded-");
    const gateway = await startGateway(parseGatewayConfig({ dataDir: join(suite.dir, "gateway"), mqtt: { port: 0 } }), logger);
    suite.defer(() => gateway.stop());
    provision(gateway, "c-sim-embedded");
    const { password } = gateway.devices.issueMqttCredentials("c-sim-embedded");
    // The user name defaults to the device id; the token comes from the environment, off the command line.
    const simulator = startSimulator(gateway, "c-sim-embedded", ["--mqtt", `mqtt://127.0.0.1:${gateway.mqttPort}`], {
      EDGE_MQTT_PASSWORD: password,
    });
    await exerciseDevice(gateway, simulator, "c-sim-embedded");
    expect(gateway.snapshot().mqttRefusals).toMatchObject({ bad_credentials: 0, anonymous: 0 });
  }, 120_000);

  it("over MQTT through Debian's Mosquitto with the documented ACL", async () => {
    suite.folder("sim-mqtt-");
    const broker = await PrivateMosquitto.start({
      dir: suite.dir,
      port: await freePort(),
      users: { "intelledger-gateway": "gw-secret" },
      config: [`acl_file ${join(import.meta.dirname, "../../docs/mosquitto/intelledger.acl")}`, "max_packet_size 1024"],
    });
    suite.defer(() => broker.stop());
    writeFileSync(join(suite.dir, "gateway-password"), "gw-secret\n", { mode: 0o600 });
    const gateway = await startGateway(
      parseGatewayConfig({
        dataDir: join(suite.dir, "gateway"),
        mqtt: { broker: { url: broker.url, username: "intelledger-gateway", passwordFile: join(suite.dir, "gateway-password") } },
      }),
      logger,
    );
    suite.defer(() => gateway.stop());
    provision(gateway, "c-sim-mqtt");
    const login = gateway.devices.issueMqttCredentials("c-sim-mqtt");
    await broker.addUser(login.username, login.password);
    const simulator = startSimulator(gateway, "c-sim-mqtt", [
      "--mqtt",
      broker.url,
      "--mqtt-username",
      login.username,
      "--mqtt-password",
      login.password,
    ]);
    await exerciseDevice(gateway, simulator, "c-sim-mqtt");
  }, 120_000);
});

import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { registerDevicesOffline } from "@intelledger/gateway";
import { freePort, PtyPair } from "@intelledger/test-support";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { buildDeviceSimulator, DeviceSimulatorProcess, type SimulatorEvent } from "../demo/device-simulator.js";
import { ChildService } from "./child-service.js";
import { waitFor } from "./soak-helpers.js";
import { writeConfig } from "./service-configs.js";

/** How many times the gateway is killed while serial and BLE devices send; the acceptance bar is 20. */
const ROUNDS = Number(process.env.EDGE_LINK_KILL_ROUNDS ?? 20);
const SERIAL_DEVICES = 3;
const BLE_DEVICES = 3;

interface LinkDevice {
  deviceId: string;
  stateDir: string;
  args: string[];
  simulator?: DeviceSimulatorProcess;
}

/** What a simulator learnt of its frames: those the gateway has (stored, or refused as a replay of a stored one) and any refused otherwise. */
function settledFrames(events: readonly SimulatorEvent[]) {
  const samples = new Map<number, number>();
  const refused: string[] = [];
  for (const event of events) {
    const counter = Number(event.counter);
    if (event.event === "frame_sent" || (event.event === "frame_refused" && event.reason === "replayed")) {
      samples.set(counter, Number(event.samples));
    } else if (event.event === "frame_refused") {
      refused.push(`#${counter}: ${String(event.reason)}`);
    }
  }
  return { samples, refused };
}

/** The gateway's last warnings and errors, from its JSON log lines: what a failed check is reported with. */
function gatewayWarnings(logPath: string): string {
  const lines = readFileSync(logPath, "utf8").split("\n");
  const warnings = lines.filter((line) => /"level":[456]0,/.test(line) && !line.includes("NO ACCOUNT YET"));
  return `the gateway's last warnings and errors:\n${warnings.slice(-40).join("\n")}`;
}

describe("SIGKILL the gateway while serial and BLE devices send", () => {
  const dir = mkdtempSync(join(tmpdir(), "link-kill-"));
  const ptys: PtyPair[] = [];
  const devices: LinkDevice[] = [];
  let gateway: ChildService | undefined;

  afterAll(async () => {
    await Promise.all(devices.flatMap((device) => (device.simulator ? [device.simulator.stop()] : [])));
    gateway?.close();
    await Promise.all(ptys.map((pty) => pty.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  it(
    `keeps every frame until the gateway has it durably and stores none twice, over ${ROUNDS} kills`,
    async () => {
      const binary = buildDeviceSimulator();
      const radio = join(dir, "radio");
      for (let i = 1; i <= SERIAL_DEVICES; i++) {
        const cable = join(dir, `cable-${i}`);
        mkdirSync(cable);
        const pty = await PtyPair.open(cable);
        ptys.push(pty);
        devices.push({ deviceId: `kill-serial-${i}`, stateDir: join(dir, `serial-${i}`), args: ["--serial", pty.devicePath] });
      }
      for (let i = 1; i <= BLE_DEVICES; i++) {
        devices.push({ deviceId: `kill-ble-${i}`, stateDir: join(dir, `ble-${i}`), args: ["--ble-radio", radio] });
      }
      const gatewayDir = join(dir, "gateway");
      registerDevicesOffline(
        gatewayDir,
        devices.map(({ deviceId, stateDir }) => ({
          deviceId,
          publicKeyPoint: DeviceSimulatorProcess.publicKeyPoint(binary, deviceId, stateDir),
        })),
      );
      const config = writeConfig(dir, "gateway", {
        dataDir: gatewayDir,
        mqtt: { host: "127.0.0.1", port: await freePort(), fallbackToFreePort: false },
        http: { host: "127.0.0.1", port: 0 },
        proving: { enabled: false },
        // The devices send far faster than a real one; the rate limit is not what is tested here.
        ingest: { admission: { framesPerSecond: 10_000, burst: 10_000 } },
        serial: { ports: ptys.map((pty) => pty.gatewayPath), rescanIntervalMs: 100 },
      });
      const gatewayLog = join(dir, "gateway.log");
      gateway = new ChildService("gatewayWithBleRadio", config, gatewayLog, ["--ble-radio", radio]);
      await gateway.start();
      for (const device of devices) {
        device.simulator = DeviceSimulatorProcess.start(binary, [
          "--device-id",
          device.deviceId,
          "--state-dir",
          device.stateDir,
          ...device.args,
          "--interval-ms",
          "100",
          "--answer-timeout-ms",
          "1000",
          "--retry-max-ms",
          "1000",
          "--ring-capacity",
          "100000",
        ]);
      }

      for (let round = 0; round < ROUNDS; round++) {
        await new Promise((resolve) => setTimeout(resolve, 200 + Math.random() * 1_300));
        await gateway.stop("SIGKILL");
        await gateway.start();
      }
      // Every device goes on delivering to the last gateway; what it still holds when stopped
      // is its own, not lost by the gateway.
      const from = devices.map((device) => device.simulator?.events.length ?? 0);
      const deliveredSince = (device: LinkDevice, i: number) =>
        (device.simulator?.events.slice(from[i]) ?? []).filter((event) => event.event === "frame_sent").length;
      await waitFor(() => devices.every((device, i) => deliveredSince(device, i) >= 10), 120_000).catch(() => {
        const delivered = devices.map((device, i) => `${device.deviceId}: ${deliveredSince(device, i)}`).join(", ");
        throw new Error(`devices did not deliver 10 frames each to the last gateway (${delivered})`);
      });
      await Promise.all(devices.flatMap((device) => (device.simulator ? [device.simulator.stop()] : [])));
      expect(await gateway.stop("SIGTERM")).toBe(0);

      const db = new Database(join(gatewayDir, "gateway.sqlite"), { readonly: true });
      const stored = db
        .prepare("SELECT device_id AS deviceId, frame_counter AS counter, count(*) AS readings FROM readings GROUP BY 1, 2")
        .all() as { deviceId: string; counter: number; readings: number }[];
      const duplicated = db
        .prepare(
          "SELECT device_id || '#' || frame_counter AS reading FROM readings GROUP BY device_id, frame_counter, channel, channel_index, sampled_at_ms HAVING count(*) > 1",
        )
        .all() as { reading: string }[];
      db.close();
      const readingsOf = new Map(stored.map(({ deviceId, counter, readings }) => [`${deviceId}#${counter}`, readings]));

      let frames = 0;
      let resent = 0;
      const missing: string[] = [];
      const refused: string[] = [];
      for (const device of devices) {
        const events = device.simulator?.events ?? [];
        const settled = settledFrames(events);
        refused.push(...settled.refused.map((frame) => `${device.deviceId}${frame}`));
        resent += events.filter((event) => event.event === "frame_resent").length;
        for (const [counter, samples] of settled.samples) {
          if (samples === 0) continue;
          frames++;
          const key = `${device.deviceId}#${counter}`;
          if (readingsOf.get(key) !== samples) missing.push(`${key} (${readingsOf.get(key) ?? 0} of ${samples} readings)`);
        }
      }
      console.log(
        `gateway killed ${ROUNDS} times: ${frames} frames of readings from ${devices.length} devices (serial and BLE) held by the gateway, ${resent} sent again after no answer`,
      );
      expect(frames).toBeGreaterThan(ROUNDS * 10);
      const warnings = gatewayWarnings(gatewayLog);
      expect(refused, warnings).toEqual([]);
      expect(missing, warnings).toEqual([]);
      expect(duplicated, warnings).toEqual([]);
    },
    30 * 60_000,
  );
});

import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { generateDeviceKeys } from "@intelledger/test-support";
import { AuditLog } from "../auth/audit-log.js";
import { withOfflineRegistry } from "./offline-registration.js";

const dataDir = mkdtempSync(join(tmpdir(), "device-cli-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** Runs the gateway's command line as a technician would; returns its JSON answer. */
function cli(...args: string[]): Record<string, unknown> {
  const out = execFileSync(
    process.execPath,
    ["--import", "tsx", join(import.meta.dirname, "../cli.ts"), ...args, "--data-dir", dataDir],
    {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    },
  );
  return JSON.parse(out) as Record<string, unknown>;
}

const hex = (point: Uint8Array) => Buffer.from(point).toString("hex");

describe("the gateway's device commands", () => {
  it("register a device with its MQTT login, reset its counter, rotate its key, all audited", () => {
    const keys = generateDeviceKeys();
    const added = cli("add-device", "--device-id", "field-1", "--public-key", hex(keys.publicKeyPoint));
    const login = added["mqttLogin"] as { username: string; password: string };
    expect(login.username).toBe("field-1");
    expect(cli("reset-counter", "--device-id", "field-1", "--counter", "9007199254740993")).toEqual({
      deviceId: "field-1",
      counter: "9007199254740993",
    });
    const newKeys = generateDeviceKeys();
    cli("rotate-key", "--device-id", "field-1", "--public-key", hex(newKeys.publicKeyPoint), "--counter", "7");
    const renewed = cli("mqtt-login", "--device-id", "field-1")["mqttLogin"] as { password: string };

    withOfflineRegistry(dataDir, (registry, db) => {
      const device = registry.get("field-1");
      expect(device?.lastCounter).toBe(7n);
      expect(hex(device?.publicKeyPoint ?? new Uint8Array())).toBe(hex(newKeys.publicKeyPoint));
      expect(registry.checkMqttPassword("field-1", Buffer.from(login.password))).toBe(false);
      expect(registry.checkMqttPassword("field-1", Buffer.from(renewed.password))).toBe(true);
      const entries = new AuditLog(db, pino({ level: "silent" })).list().reverse();
      expect(entries.map((entry) => entry.action)).toEqual([
        "device.register",
        "device.mqtt-credentials.issue",
        "device.counter.reset",
        "device.key.rotate",
        "device.mqtt-credentials.issue",
      ]);
      expect(new Set(entries.map((entry) => entry.actor))).toEqual(new Set([`cli:${userInfo().username}`]));
      expect(entries[2]?.details).toEqual({ before: { lastCounter: "0" }, after: { lastCounter: "9007199254740993" } });
      expect(entries[3]?.details).toMatchObject({
        before: { publicKey: hex(keys.publicKeyPoint) },
        after: { publicKey: hex(newKeys.publicKeyPoint), lastCounter: "7" },
        handover: "none: recovery without the old key",
      });
      // The old key stays on record, without a handover: the technician vouched for the new one.
      expect(registry.keyHistory("field-1")).toMatchObject([{ oldLastCounter: 9007199254740993n, newCounter: 7n }]);
      expect(registry.keyHistory("field-1")[0]?.handoverSignature).toBeUndefined();
    });
  }, 60_000);
});

import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, statfsSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { registerDevicesOffline, startGateway, type Gateway } from "@intelledger/gateway";
import Database from "better-sqlite3";
import { pino } from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { quietGatewayConfig } from "../../gateway/test/test-gateway.js";
import { DeviceFleet } from "./device-fleet.js";
import { waitFor } from "./soak-helpers.js";

/** Mounts a 4 MiB filesystem at `dir`; why it could not, when it could not (mounting takes root). */
function mountSmallDisk(dir: string): string | undefined {
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=4m,mode=0700", "tmpfs", dir], { stdio: "pipe" });
    return undefined;
  } catch (error) {
    return (error as { stderr?: Buffer }).stderr?.toString().trim() ?? String(error);
  }
}

function freeBytes(dir: string): number {
  const { bavail, bsize } = statfsSync(dir);
  return bavail * bsize;
}

describe("the disk holding the gateway's database fills up", () => {
  const dir = mkdtempSync(join(tmpdir(), "edge-disk-full-"));
  const disk = join(dir, "disk");
  mkdirSync(disk);
  let mounted = false;
  let gateway: Gateway | undefined;
  const fleet = new DeviceFleet(4, "disk");

  afterAll(async () => {
    await fleet.stop();
    await gateway?.stop();
    if (mounted) execFileSync("umount", [disk]);
    rmSync(dir, { recursive: true, force: true });
  });

  it("refuses frames saying so, keeps every acknowledged one, and takes frames again once space is freed", async (context) => {
    const cannotMount = mountSmallDisk(disk);
    if (cannotMount !== undefined) context.skip(`a small filesystem could not be mounted for the database: ${cannotMount}`);
    mounted = true;
    const dataDir = join(disk, "gateway");
    const logins = registerDevicesOffline(dataDir, fleet.devices);
    gateway = await startGateway(
      quietGatewayConfig(dataDir, {
        batching: { maxReadings: 64, maxAgeMs: 200 },
        ingest: { admission: { framesPerSecond: 10_000, burst: 10_000 } },
        // Nothing held back before the disk itself is full: what is tested is SQLite finding no room.
        storage: { checkIntervalMs: 100, minFreeDiskBytes: 0 },
      }),
      pino({ level: "silent" }),
    );
    const running = gateway;
    // Another program takes most of the disk; the database has about 600 KB left.
    const ballast = join(disk, "ballast");
    writeFileSync(ballast, Buffer.alloc(freeBytes(disk) - 600_000));

    await fleet.connect(`mqtt://127.0.0.1:${running.mqttPort}`, logins);
    fleet.start({ intervalMs: 2 });
    await waitFor(() => running.snapshot().ingest.refusedStorageFull >= 20, 120_000, "frames refused for a full disk");
    expect(running.snapshot().storage).toMatchObject({ full: true, fullReason: "disk" });
    // Refused, not taken: nothing is stored while the disk stays full, and the gateway stays up.
    const storedWhileFull = running.readings.count();
    const refusedBefore = running.snapshot().ingest.refusedStorageFull;
    await sleep(1_000);
    expect(running.readings.count()).toBe(storedWhileFull);
    expect(running.snapshot().ingest.refusedStorageFull).toBeGreaterThan(refusedBefore);
    expect(running.health()).toMatchObject({ ingestRunning: true, databaseWritable: true });

    rmSync(ballast);
    await waitFor(() => running.readings.count() > storedWhileFull + 300, 120_000, "frames taken again");
    expect(running.snapshot().storage).toMatchObject({ full: false, fullReason: undefined });
    await fleet.drain();
    const stored = running.readings.between(1, running.readings.lastSeq());
    await running.stop();
    gateway = undefined;

    const db = new Database(join(dataDir, "gateway.sqlite"), { readonly: true });
    expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
    db.close();
    // Every frame a device saw acknowledged is stored, each exactly once (three samples a frame).
    for (const [deviceId, acked] of fleet.acked) {
      const samples = new Map<number, number>();
      for (const reading of stored) {
        if (reading.deviceId !== deviceId) continue;
        const counter = Number(reading.frameCounter);
        samples.set(counter, (samples.get(counter) ?? 0) + 1);
      }
      expect([...acked].filter((counter) => samples.get(counter) !== 3)).toEqual([]);
      expect([...samples.values()].every((count) => count === 3)).toBe(true);
    }
    expect(fleet.ackedFrameCount()).toBeGreaterThan(0);
  }, 300_000);
});

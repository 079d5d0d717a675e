import { existsSync, readFileSync } from "node:fs";
import type { SqliteDatabase } from "../store/gateway-database.js";

const BOOT_ID_PATH = "/proc/sys/kernel/random/boot_id";

/** Milliseconds since the host booted (CLOCK_MONOTONIC): shared by every process of this boot, never jumps. */
export function hostUptimeMs(): number {
  return Number(process.hrtime.bigint() / 1_000_000n);
}

/** The kernel's id of this boot; without one (not Linux) each process start counts as a boot. */
function currentBootId(): string {
  return existsSync(BOOT_ID_PATH) ? readFileSync(BOOT_ID_PATH, "utf8").trim() : `process-${process.pid}-${Date.now()}`;
}

/** This boot's number in the gateway's database, registering it on first sight. */
export function registerCurrentBoot(db: SqliteDatabase, nowMs: number): number {
  const bootId = currentBootId();
  db.prepare("INSERT INTO boots (boot_id, first_seen_ms) VALUES (?, ?) ON CONFLICT (boot_id) DO NOTHING").run(bootId, nowMs);
  return (db.prepare("SELECT boot FROM boots WHERE boot_id = ?").get(bootId) as { boot: number }).boot;
}

// Bytes-per-reading bench: a gateway's offline backlog of reference readings (three samples
// per frame from 50 devices, sealed into batches of 1,024) and the relay's SQLite store holding
// the same batches as it stores uploads, each measured as the pages in use after a checkpoint
// divided by the readings, beside the targets (gateway ≤ 48, relay ≤ 40), with where the bytes
// go (SQLite's dbstat, per table and index) and each database's integrity check.
// Usage: npm run bench:bytes   (BENCH_READINGS scales the backlog, default 100000)
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { seedBacklog } from "../gateway/test/backlog-seeder.js";
import { measureDrainBounds } from "./drain-bounds.js";

const READINGS = Number(process.env.BENCH_READINGS ?? 100_000);
const TARGETS = { gateway: 48, relay: 40 };

interface Footprint {
  bytesPerReading: number;
  integrity: string;
  /** Bytes per reading of each table and index, largest first. */
  parts: { name: string; bytesPerReading: number }[];
}

/** Pages in use once the write-ahead log is folded in, per reading, and what they hold. */
function footprint(path: string, readings: number): Footprint {
  const db = new Database(path);
  try {
    db.pragma("wal_checkpoint(TRUNCATE)");
    const pageSize = db.pragma("page_size", { simple: true }) as number;
    const pages = db.pragma("page_count", { simple: true }) as number;
    const free = db.pragma("freelist_count", { simple: true }) as number;
    const parts = (
      db.prepare("SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC").all() as {
        name: string;
        bytes: number;
      }[]
    ).map((part) => ({ name: part.name, bytesPerReading: part.bytes / readings }));
    return {
      bytesPerReading: ((pages - free) * pageSize) / readings,
      integrity: db.pragma("integrity_check", { simple: true }) as string,
      parts,
    };
  } finally {
    db.close();
  }
}

function report(side: keyof typeof TARGETS, measured: Footprint): void {
  const ratio = measured.bytesPerReading / TARGETS[side];
  console.log(
    `  ${side.padEnd(7)} ${measured.bytesPerReading.toFixed(1)} bytes/reading (target ≤ ${TARGETS[side]})  -> ${ratio.toFixed(2)} x the target, integrity ${measured.integrity}`,
  );
  for (const part of measured.parts.filter((p) => p.bytesPerReading >= 0.5))
    console.log(`          ${part.name.padEnd(32)} ${part.bytesPerReading.toFixed(1)}`);
}

const dir = mkdtempSync(join(tmpdir(), "bytes-bench-"));
try {
  const gatewayDir = join(dir, "gateway");
  const { gatewayId } = await seedBacklog({ dataDir: gatewayDir, readings: READINGS, batchSize: 1_024 });
  const gateway = footprint(join(gatewayDir, "gateway.sqlite"), READINGS);
  // Stores every batch of the backlog as the relay does (decoded, checked, verified, appended).
  const { readings: stored } = await measureDrainBounds(gatewayDir, gatewayId, dir, READINGS);
  const relay = footprint(join(dir, "relay-bound.sqlite"), stored);
  console.log(`bytes-per-reading bench: ${READINGS.toLocaleString("en-US")} reference readings in batches of 1,024`);
  report("gateway", gateway);
  report("relay", relay);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

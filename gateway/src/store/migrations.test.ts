import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { openGatewayDatabase } from "./gateway-database.js";
import { GATEWAY_MIGRATIONS } from "./migrations.js";

/** A database file at schema `version`, filled by `fill`; returns its path and how to remove it. */
function databaseAt(version: number, fill: (db: Database.Database) => void): { path: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "migration-"));
  const path = join(dir, "gateway.sqlite");
  const old = new Database(path);
  for (const sql of GATEWAY_MIGRATIONS.slice(0, version)) old.exec(sql);
  old.pragma(`user_version = ${version}`);
  fill(old);
  old.close();
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

describe("the inference migration", () => {
  it("marks readings stored before it as decided, so no score changes a batch already sealed", () => {
    const { path, remove } = databaseAt(2, (old) =>
      old
        .prepare(
          `INSERT INTO readings (device_id, frame_counter, channel, channel_index, sampled_at_ms, received_at_ms, value, scale,
             data_class, time_uncertain, received_boot, received_uptime_ms) VALUES ('esp32-01', 1, 1, 0, 1, 1, 2100, 2, 0, 0, 1, 1)`,
        )
        .run(),
    );

    const db = openGatewayDatabase(path);
    expect(db.pragma("user_version", { simple: true })).toBe(GATEWAY_MIGRATIONS.length);
    expect(db.prepare("SELECT anomalous, anomaly_score, model_version, unscored_reason FROM readings").all()).toEqual([
      { anomalous: 0, anomaly_score: null, model_version: null, unscored_reason: "before-inference" },
    ]);
    db.close();
    remove();
  });
});

describe("the batch state migration", () => {
  it("gives each batch the state its columns imply", () => {
    const columns: [number | null, number | null, Buffer | null][] = [
      [null, null, null],
      [5, null, null],
      [5, 6, null],
      [null, null, Buffer.from([1])],
      [5, null, Buffer.from([1])],
    ];
    const { path, remove } = databaseAt(4, (old) => {
      const insert = old.prepare(
        `INSERT INTO batches (sequence, batch_hash, previous_batch_hash, readings_root, data_class, reading_count,
           first_gateway_seq, last_gateway_seq, sealed_at_ms, signature, acked_at_ms, released_at_ms, pruned, pruned_signature)
         VALUES (?, ?, x'00', x'00', 1, 1, ?, ?, 1, x'00', ?, ?, ?, ?)`,
      );
      columns.forEach(([acked, released, pruned], i) =>
        insert.run(i + 1, Buffer.from([i]), i + 1, i + 1, acked, released, pruned, pruned),
      );
    });

    const db = openGatewayDatabase(path);
    expect(db.prepare("SELECT state FROM batches ORDER BY sequence").pluck().all()).toEqual([
      "sealed",
      "acknowledged",
      "released",
      "pruned",
      "gap-acknowledged",
    ]);
    expect(() => db.prepare("UPDATE batches SET state = 'anchored' WHERE sequence = 1").run()).toThrow(/CHECK constraint/);
    db.close();
    remove();
  });
});

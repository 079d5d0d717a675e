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

describe("the device lifecycle migration", () => {
  it("keeps every device with its key, counter, login and history of readings, and lets a device be decommissioned", () => {
    const dir = mkdtempSync(join(tmpdir(), "migration-"));
    const path = join(dir, "gateway.sqlite");
    const before = GATEWAY_MIGRATIONS.findIndex((sql) => sql.includes("CREATE TABLE device_key_rotations"));
    expect(before).toBeGreaterThan(0);
    const old = new Database(path);
    for (const sql of GATEWAY_MIGRATIONS.slice(0, before)) old.exec(sql);
    old.pragma(`user_version = ${before}`);
    old
      .prepare(
        `INSERT INTO devices (device_id, public_key, status, last_counter, last_command_id, registered_at_ms, last_seen_ms,
           last_transport, mqtt_password_hash) VALUES ('esp32-01', x'04aa', 'inactive', 9007199254740993, 4, 5, 6, 'serial', x'01')`,
      )
      .run();
    old.close();

    const db = openGatewayDatabase(path);
    expect(db.prepare("SELECT * FROM devices").safeIntegers(true).all()).toEqual([
      {
        device_id: "esp32-01",
        public_key: Buffer.from([0x04, 0xaa]),
        status: "inactive",
        last_counter: 9007199254740993n,
        last_command_id: 4n,
        registered_at_ms: 5n,
        last_seen_ms: 6n,
        last_transport: "serial",
        last_status: null,
        mqtt_password_hash: Buffer.from([1]),
        settings: "{}",
        status_changed_at_ms: null,
      },
    ]);
    db.prepare("UPDATE devices SET status = 'decommissioned'").run();
    expect(() => db.prepare("UPDATE devices SET status = 'lost'").run()).toThrow(/CHECK/);
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
});

describe("the compact readings migration", () => {
  it("keeps every reading as it was, the sequence past readings deleted at its end, and a decision written through the view", () => {
    const before = GATEWAY_MIGRATIONS.findIndex((sql) => sql.includes("CREATE TABLE reading_rows"));
    expect(before).toBeGreaterThan(0);
    const { path, remove } = databaseAt(before, (old) => {
      const insert = old.prepare(
        `INSERT INTO readings (device_id, frame_counter, channel, channel_index, sampled_at_ms, received_at_ms, value, scale,
           data_class, time_uncertain, received_boot, received_uptime_ms, anomaly_score, anomalous, model_version, unscored_reason)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      insert.run(
        "esp32-01",
        9007199254740993n,
        1,
        0,
        1_700_000_000_000,
        1_700_000_000_250,
        -21_000,
        2,
        1,
        0,
        1,
        9,
        null,
        0,
        null,
        "inference-disabled",
      );
      insert.run("flow.line-a", 2, 4, 3, 1_700_000_001_000, 1_700_000_000_900, 7, 0, 2, 1, 2, 5, 0.75, 1, "vib-ae@3", null);
      insert.run("esp32-01", 3, 2, 0, 5, 6, 1, 0, 1, 0, 2, 6, null, null, null, null);
      insert.run("esp32-02", 4, 2, 0, 5, 6, 1, 0, 1, 0, 2, 7, null, 0, null, "scoring-timeout");
      old.prepare("DELETE FROM readings WHERE gateway_seq = 4").run();
    });
    const oldRows = (() => {
      const old = new Database(path, { readonly: true });
      const rows = old.prepare("SELECT * FROM readings ORDER BY gateway_seq").safeIntegers(true).all();
      old.close();
      return rows;
    })();

    const db = openGatewayDatabase(path);
    expect(db.prepare("SELECT * FROM readings ORDER BY gateway_seq").safeIntegers(true).all()).toEqual(oldRows);
    expect(db.prepare("SELECT data_class FROM reading_classes ORDER BY 1").pluck().all()).toEqual([1, 2]);
    db.prepare("UPDATE readings SET anomaly_score = 0.5, anomalous = 1, model_version = 'vib-ae@4' WHERE gateway_seq = 3").run();
    expect(
      db.prepare("SELECT anomaly_score, anomalous, model_version, unscored_reason FROM readings WHERE gateway_seq = 3").get(),
    ).toEqual({
      anomaly_score: 0.5,
      anomalous: 1,
      model_version: "vib-ae@4",
      unscored_reason: null,
    });
    const seq = db
      .prepare(
        `INSERT INTO reading_rows (source, frame_counter, channel, channel_index, sample_lag_ms, received_at_ms, value, scale,
           data_class, time_uncertain, received_boot, received_uptime_ms) VALUES (1, 5, 1, 0, 0, 7, 1, 0, 1, 0, 2, 8)`,
      )
      .run().lastInsertRowid;
    expect(seq).toBe(5);
    expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
    db.close();
    remove();
  });
});

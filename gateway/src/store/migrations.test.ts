import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { openGatewayDatabase } from "./gateway-database.js";
import { GATEWAY_MIGRATIONS } from "./migrations.js";

describe("the inference migration", () => {
  it("marks readings stored before it as decided, so no score changes a batch already sealed", () => {
    const dir = mkdtempSync(join(tmpdir(), "migration-"));
    const path = join(dir, "gateway.sqlite");
    const old = new Database(path);
    for (const sql of GATEWAY_MIGRATIONS.slice(0, 2)) old.exec(sql);
    old.pragma("user_version = 2");
    old
      .prepare(
        `INSERT INTO readings (device_id, frame_counter, channel, channel_index, sampled_at_ms, received_at_ms, value, scale,
           data_class, time_uncertain, received_boot, received_uptime_ms) VALUES ('esp32-01', 1, 1, 0, 1, 1, 2100, 2, 0, 0, 1, 1)`,
      )
      .run();
    old.close();

    const db = openGatewayDatabase(path);
    expect(db.pragma("user_version", { simple: true })).toBe(GATEWAY_MIGRATIONS.length);
    expect(db.prepare("SELECT anomalous, anomaly_score, model_version, unscored_reason FROM readings").all()).toEqual([
      { anomalous: 0, anomaly_score: null, model_version: null, unscored_reason: "before-inference" },
    ]);
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
});

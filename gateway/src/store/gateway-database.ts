import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { GatewayError } from "../errors.js";
import { GATEWAY_MIGRATIONS } from "./migrations.js";

export type SqliteDatabase = Database.Database;

/**
 * Opens (creating if needed) the gateway's database: WAL so readers never block the
 * ingest writer, and synchronous=FULL so a committed frame survives power loss, which
 * is what allows acknowledging it to the device.
 */
export function openGatewayDatabase(path: string): SqliteDatabase {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = FULL");
  db.pragma("foreign_keys = ON");
  db.pragma("busy_timeout = 5000");
  migrate(db);
  return db;
}

function migrate(db: SqliteDatabase): void {
  const current = db.pragma("user_version", { simple: true }) as number;
  if (current > GATEWAY_MIGRATIONS.length) {
    throw new GatewayError("the database was written by a newer gateway; refusing to open it", {
      schemaVersion: current,
      supported: GATEWAY_MIGRATIONS.length,
    });
  }
  GATEWAY_MIGRATIONS.slice(current).forEach((sql, offset) => {
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${current + offset + 1}`);
    })();
  });
}

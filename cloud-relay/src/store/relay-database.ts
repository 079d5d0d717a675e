import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { RelayError } from "../errors.js";
import { RELAY_MIGRATIONS } from "./migrations.js";

export type SqliteDatabase = Database.Database;

/**
 * Opens (creating if needed) the relay's database. synchronous=FULL: an ack tells the
 * gateway it may forget a batch, so the batch must survive power loss first.
 */
export function openRelayDatabase(path: string): SqliteDatabase {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = FULL");
  db.pragma("foreign_keys = ON");
  db.pragma("busy_timeout = 5000");
  const current = db.pragma("user_version", { simple: true }) as number;
  if (current > RELAY_MIGRATIONS.length) {
    throw new RelayError("failed_precondition", "the database was written by a newer relay; refusing to open it", {
      schemaVersion: current,
      supported: RELAY_MIGRATIONS.length,
    });
  }
  RELAY_MIGRATIONS.slice(current).forEach((sql, offset) => {
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${current + offset + 1}`);
    })();
  });
  return db;
}

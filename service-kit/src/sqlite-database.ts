import { closeSync, mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { EdgeError } from "./edge-error.js";

export type SqliteDatabase = Database.Database;

export class DatabaseVersionError extends EdgeError {}

export interface SqliteOpenOptions {
  /** Schema versions applied in order and recorded in PRAGMA user_version; released ones are never edited. */
  migrations: readonly string[];
  /** Who writes this database ("gateway", "relay"), for the error a newer schema raises. */
  owner: string;
}

/**
 * Opens (creating if needed) a service's database and brings its schema up to date: WAL so
 * readers never block the writer, synchronous=FULL so a commit survives power loss (every
 * acknowledgement the services send rests on it). The file is created readable by its owner
 * only, and SQLite gives its -wal and -shm files the same mode: it holds accounts and keys' work.
 */
export function openSqliteDatabase(path: string, options: SqliteOpenOptions): SqliteDatabase {
  if (path !== ":memory:") {
    mkdirSync(dirname(path), { recursive: true });
    closeSync(openSync(path, "a", 0o600));
  }
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = FULL");
  db.pragma("foreign_keys = ON");
  db.pragma("busy_timeout = 5000");
  try {
    migrate(db, options);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

function migrate(db: SqliteDatabase, { migrations, owner }: SqliteOpenOptions): void {
  const current = db.pragma("user_version", { simple: true }) as number;
  if (current > migrations.length) {
    throw new DatabaseVersionError(`the database was written by a newer ${owner}; refusing to open it`, {
      schemaVersion: current,
      supported: migrations.length,
    });
  }
  migrations.slice(current).forEach((sql, offset) => {
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${current + offset + 1}`);
    })();
  });
}

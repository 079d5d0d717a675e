import { closeSync, mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { pendingMigrations, type SchemaMigrations } from "./schema-migrations.js";

export type SqliteDatabase = Database.Database;

/** The schema versions, recorded in PRAGMA user_version. */
export type SqliteOpenOptions = SchemaMigrations;

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

function migrate(db: SqliteDatabase, options: SqliteOpenOptions): void {
  for (const { version, sql } of pendingMigrations(db.pragma("user_version", { simple: true }) as number, options)) {
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${version}`);
    })();
  }
}

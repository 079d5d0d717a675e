import { existsSync, statSync } from "node:fs";
import type { SqliteDatabase } from "./gateway-database.js";

/**
 * Bytes the database holds: pages in use (free pages are reused before the file grows)
 * plus the write-ahead log, which lives beside it until checkpointed.
 */
export function databaseBytesUsed(db: SqliteDatabase, path: string): number {
  const pageSize = db.pragma("page_size", { simple: true }) as number;
  const pages = db.pragma("page_count", { simple: true }) as number;
  const free = db.pragma("freelist_count", { simple: true }) as number;
  const wal = `${path}-wal`;
  return (pages - free) * pageSize + (existsSync(wal) ? statSync(wal).size : 0);
}

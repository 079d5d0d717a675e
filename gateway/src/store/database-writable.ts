import type { SqliteDatabase } from "./gateway-database.js";

/** Whether a write transaction can be opened now (not read-only, not locked, not closed). */
export function databaseWritable(db: SqliteDatabase): boolean {
  try {
    db.exec("BEGIN IMMEDIATE");
    db.exec("ROLLBACK");
    return true;
  } catch {
    return false;
  }
}

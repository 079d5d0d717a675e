import { EdgeError } from "./edge-error.js";

export class DatabaseVersionError extends EdgeError {}

/** A service's schema versions, whatever its database. */
export interface SchemaMigrations {
  /** Schema versions applied in order, each recorded once applied; released ones are never edited. */
  migrations: readonly string[];
  /** Who writes this database ("gateway", "relay"), for the error a newer schema raises. */
  owner: string;
}

/**
 * The schema versions a database at version `current` still needs, each with the version it
 * brings the database to. A database a newer release wrote is refused, not opened.
 */
export function pendingMigrations(current: number, { migrations, owner }: SchemaMigrations): { version: number; sql: string }[] {
  if (current > migrations.length) {
    throw new DatabaseVersionError(`the database was written by a newer ${owner}; refusing to open it`, {
      schemaVersion: current,
      supported: migrations.length,
    });
  }
  return migrations.slice(current).map((sql, offset) => ({ version: current + offset + 1, sql }));
}

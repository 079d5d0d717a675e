import { openSqliteDatabase, type SqliteDatabase } from "@intelledger/service-kit";
import { RELAY_MIGRATIONS } from "./migrations.js";

export type { SqliteDatabase } from "@intelledger/service-kit";

/** Opens (creating if needed) the relay's database at its current schema. */
export function openRelayDatabase(path: string): SqliteDatabase {
  return openSqliteDatabase(path, { migrations: RELAY_MIGRATIONS, owner: "relay" });
}

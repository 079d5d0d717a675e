import { openSqliteDatabase, type SqliteDatabase } from "@intelledger/service-kit";
import { GATEWAY_MIGRATIONS } from "./migrations.js";

export type { SqliteDatabase } from "@intelledger/service-kit";

/** Opens (creating if needed) the gateway's database at its current schema. */
export function openGatewayDatabase(path: string): SqliteDatabase {
  return openSqliteDatabase(path, { migrations: GATEWAY_MIGRATIONS, owner: "gateway" });
}

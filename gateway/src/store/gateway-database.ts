import { openSqliteDatabase, WalCheckpointer, type SqliteDatabase } from "@intelledger/service-kit";
import type { Logger } from "pino";
import { GATEWAY_MIGRATIONS } from "./migrations.js";

export type { SqliteDatabase } from "@intelledger/service-kit";

/** Opens (creating if needed) the gateway's database at its current schema. */
export function openGatewayDatabase(path: string): SqliteDatabase {
  return openSqliteDatabase(path, { migrations: GATEWAY_MIGRATIONS, owner: "gateway" });
}

/**
 * Copies the gateway's write-ahead log into its database file from a thread, every 100 ms,
 * so that no commit of frames waits for the copy (see WalCheckpointer). The writer still
 * checkpoints at SQLite's default length of 1,000 pages, so the log takes no more disk than
 * before, but finds only what came since the thread's last pass left to copy.
 */
export function startGatewayCheckpoints(db: SqliteDatabase, logger: Logger): WalCheckpointer {
  return WalCheckpointer.start(db, {
    intervalMs: 100,
    writerCheckpointPages: 1_000,
    logger,
  });
}

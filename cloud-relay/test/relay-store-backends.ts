// The relay's two storage backends, each on a database of its own, for tests and benchmarks.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseRelayConfig } from "../src/config.js";
import { openRelayStore, type RelayStore } from "../src/store/relay-store.js";
import { createThrowawayDatabase } from "./throwaway-postgres.js";

export interface StoreBackend {
  /** Opens a store on this backend's database; every call opens the same database anew (as another replica, or after a restart). */
  open(holder?: string): Promise<RelayStore>;
  /** The database URL, for PostgreSQL. */
  url: string | undefined;
  /** Whether several relay processes share the database (PostgreSQL), or one relay owns it (SQLite). */
  replicas: boolean;
  destroy(): Promise<void>;
}

function storeConfig(dataDir: string, url: string | undefined) {
  return parseRelayConfig({
    dataDir,
    ...(url !== undefined && { database: { url, poolSize: 4 } }),
    tls: { caCertFile: "unused", certFile: "unused", keyFile: "unused" },
    chain: {
      rpcUrl: "http://127.0.0.1:1",
      anchorContract: `0x${"00".repeat(20)}`,
      anchorerPrivateKey: `0x${"11".repeat(32)}`,
    },
  });
}

export function sqliteBackend(): Promise<StoreBackend> {
  const dir = mkdtempSync(join(tmpdir(), "relay-store-"));
  const config = storeConfig(dir, undefined);
  return Promise.resolve({
    open: (holder) => openRelayStore(config, holder),
    url: undefined,
    replicas: false,
    destroy: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })),
  });
}

export async function postgresBackend(): Promise<StoreBackend> {
  const database = await createThrowawayDatabase();
  const dir = mkdtempSync(join(tmpdir(), "relay-store-"));
  const config = storeConfig(dir, database.url);
  return {
    open: (holder) => openRelayStore(config, holder),
    url: database.url,
    replicas: true,
    async destroy() {
      await database.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

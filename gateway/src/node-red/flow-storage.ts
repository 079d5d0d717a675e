import { createRequire } from "node:module";
import { mkdir, readdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "pino";

interface StorageModule {
  saveFlows(flows: unknown, user?: { username?: string }): Promise<void>;
  [operation: string]: unknown;
}

const nodeRedRequire = createRequire(createRequire(import.meta.url).resolve("node-red"));

/**
 * Node-RED's own file storage (flows in its user directory), with a copy of the flows
 * kept after every deploy: `flow-backups/flows-<time>-<user>.json`, the newest `keep`.
 * A bad deploy can then be rolled back by importing an earlier copy.
 */
export function flowStorageWithBackups(options: { backupDir: string; keep: number; logger: Logger }): StorageModule {
  const files = nodeRedRequire("@node-red/runtime/lib/storage/localfilesystem") as StorageModule;

  async function backUp(flows: unknown, username: string): Promise<void> {
    await mkdir(options.backupDir, { recursive: true, mode: 0o700 });
    const stamp = new Date().toISOString().replace(/[:.]/g, "-");
    const name = `flows-${stamp}-${username.replace(/[^a-z0-9._-]/gi, "_")}.json`;
    await writeFile(join(options.backupDir, name), JSON.stringify(flows, null, 2), { mode: 0o600 });
    const backups = (await readdir(options.backupDir)).filter((file) => /^flows-.*\.json$/.test(file)).sort();
    for (const old of backups.slice(0, Math.max(0, backups.length - options.keep))) {
      await rm(join(options.backupDir, old), { force: true });
    }
  }

  return {
    ...files,
    async saveFlows(flows, user) {
      await files.saveFlows(flows, user);
      // The deploy has succeeded once the flows are saved; a failed copy is reported, not fatal.
      await backUp(flows, user?.username ?? "system").catch((error: unknown) =>
        options.logger.error({ err: error }, "could not back up the deployed flows"),
      );
    },
  };
}

// @ts-check
import { createHash } from "node:crypto";
import { mkdir, readdir, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";

/**
 * @typedef {{
 *   getFlows(): Promise<unknown>,
 *   saveFlows(flows: unknown, user?: { username?: string }): Promise<void>,
 *   [operation: string]: unknown,
 * }} StorageModule
 */

const nodeRedRequire = createRequire(createRequire(import.meta.url).resolve("node-red"));

/**
 * Node-RED's revision of a set of flows (it shows it in the editor).
 * @param {unknown} flows
 */
export function flowsRevision(flows) {
  return createHash("sha256").update(JSON.stringify(flows)).digest("hex");
}

/**
 * Node-RED's own file storage (flows in its user directory), with a copy of the flows
 * kept after every deploy: `flow-backups/flows-<time>-<user>.json`, the newest `keep`. A bad
 * deploy can then be rolled back by importing an earlier copy. `onFlows` hears the revision
 * of the flows about to run, loaded at start or deployed, before they start.
 * @param {{ backupDir: string, keep: number, onFlows(revision: string): void, onBackupFailed(error: unknown): void }} options
 * @returns {StorageModule}
 */
export function flowStorageWithBackups(options) {
  const files = /** @type {StorageModule} */ (nodeRedRequire("@node-red/runtime/lib/storage/localfilesystem"));

  /**
   * @param {unknown} flows
   * @param {string} username
   */
  async function backUp(flows, username) {
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
    async getFlows() {
      const flows = await files.getFlows();
      options.onFlows(flowsRevision(flows));
      return flows;
    },
    async saveFlows(flows, user) {
      options.onFlows(flowsRevision(flows));
      await files.saveFlows(flows, user);
      // The deploy has succeeded once the flows are saved; a failed copy is reported, not fatal.
      await backUp(flows, user?.username ?? "system").catch(options.onBackupFailed);
    },
  };
}

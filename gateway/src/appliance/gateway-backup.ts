// A gateway's backup and its restore onto new hardware: the identity and command keys, the
// database (accounts, devices with their counters, readings and batches not yet sent, the
// audit log), the configuration history, Node-RED's flows and the relay certificates.
import {
  copyFileSync,
  cpSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";
import Database from "better-sqlite3";
import * as tar from "tar";
import { GatewayError } from "../errors.js";
import { GATEWAY_VERSION } from "../gateway-version.js";
import { GATEWAY_KEY_FILE, loadOrCreateGatewayIdentity } from "../identity/gateway-identity.js";
import { openGatewayDatabase } from "../store/gateway-database.js";
import { MIN_PASSPHRASE_LENGTH, readEncrypted, writeEncrypted } from "./backup-cipher.js";

const DATABASE_FILE = "gateway.sqlite";
/** Files of the data folder a backup leaves out: the live database (copied by SQLite's backup API instead) and a pairing code, which a restored gateway makes anew if it still has no account. */
const LEFT_OUT = new Set([DATABASE_FILE, `${DATABASE_FILE}-wal`, `${DATABASE_FILE}-shm`, "pairing-code"]);
const MANIFEST = "manifest.json";

/** What a backup holds, as `backup` prints it and `restore` checks it. */
export interface BackupManifest {
  format: 1;
  gatewayId: string;
  gatewayVersion: string;
  createdAtMs: number;
  /** The database's schema version (PRAGMA user_version); a newer gateway migrates it forward. */
  schemaVersion: number;
  devices: number;
  /** The highest gateway_seq stored, and the last batch sealed and acknowledged, at the time of the backup. */
  lastGatewaySeq: number;
  lastBatchSequence: number;
  lastAckedBatchSequence: number;
  /** Whether the archive holds the configuration file (restored beside the data). */
  hasConfigFile: boolean;
}

export class BackupError extends GatewayError {}

function checkPassphrase(passphrase: string): void {
  if (passphrase.length < MIN_PASSPHRASE_LENGTH) {
    throw new BackupError(`the backup passphrase must have at least ${MIN_PASSPHRASE_LENGTH} characters`);
  }
}

function describeDatabase(
  path: string,
): Pick<BackupManifest, "schemaVersion" | "devices" | "lastGatewaySeq" | "lastBatchSequence" | "lastAckedBatchSequence"> {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const value = (sql: string) => (db.prepare(sql).pluck().get() as number | null) ?? 0;
    return {
      schemaVersion: db.pragma("user_version", { simple: true }) as number,
      devices: value("SELECT count(*) FROM devices"),
      // sqlite_sequence keeps the highest gateway_seq handed out, even when its readings were released.
      lastGatewaySeq: value("SELECT seq FROM sqlite_sequence WHERE name = 'reading_rows'"),
      lastBatchSequence: value("SELECT max(sequence) FROM batches"),
      lastAckedBatchSequence: value("SELECT max(sequence) FROM batches WHERE acked_at_ms IS NOT NULL"),
    };
  } finally {
    db.close();
  }
}

/**
 * Writes an encrypted backup of the gateway whose data folder is `dataDir`, running or not:
 * SQLite's online backup API copies a consistent database while the gateway keeps writing.
 * `configFile` (the --config file) is included when given.
 */
export async function backupGateway(options: {
  dataDir: string;
  out: string;
  passphrase: string;
  configFile?: string;
}): Promise<BackupManifest> {
  checkPassphrase(options.passphrase);
  const { dataDir } = options;
  if (!existsSync(join(dataDir, GATEWAY_KEY_FILE)) || !existsSync(join(dataDir, DATABASE_FILE))) {
    throw new BackupError(`${dataDir} holds no gateway (no ${GATEWAY_KEY_FILE} and ${DATABASE_FILE})`);
  }
  // Staged beside the output: the database may be large, and a temporary folder small.
  mkdirSync(dirname(options.out), { recursive: true });
  const stage = mkdtempSync(join(dirname(options.out), ".gateway-backup-"));
  try {
    const dataStage = join(stage, "data");
    cpSync(dataDir, dataStage, {
      recursive: true,
      filter: (source) => !(dirname(source) === dataDir && LEFT_OUT.has(basename(source))),
    });
    const source = new Database(join(dataDir, DATABASE_FILE), { readonly: true, fileMustExist: true });
    try {
      await source.backup(join(dataStage, DATABASE_FILE));
    } finally {
      source.close();
    }
    if (options.configFile !== undefined) copyFileSync(options.configFile, join(stage, "gateway.json"));
    const manifest: BackupManifest = {
      format: 1,
      gatewayId: loadOrCreateGatewayIdentity(dataDir).address,
      gatewayVersion: GATEWAY_VERSION,
      createdAtMs: Date.now(),
      ...describeDatabase(join(dataStage, DATABASE_FILE)),
      hasConfigFile: options.configFile !== undefined,
    };
    writeFileSync(join(stage, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
    const entries = [MANIFEST, "data", ...(manifest.hasConfigFile ? ["gateway.json"] : [])];
    await writeEncrypted(options.out, options.passphrase, tar.create({ gzip: true, cwd: stage, portable: true }, entries));
    return manifest;
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

/**
 * Restores a backup into `dataDir`, which must not hold a gateway yet (new hardware, or a
 * wiped folder). The archive is decrypted and checked in full before anything lands there;
 * the database is then checked for integrity and migrated to this gateway's schema. The
 * configuration file in the backup, if any, is written to `configOut` when given.
 */
export async function restoreGateway(options: {
  archive: string;
  dataDir: string;
  passphrase: string;
  configOut?: string;
}): Promise<BackupManifest> {
  const { dataDir } = options;
  for (const existing of [GATEWAY_KEY_FILE, DATABASE_FILE]) {
    if (existsSync(join(dataDir, existing))) {
      throw new BackupError(`${dataDir} already holds a gateway (${existing}); restore onto an empty data folder`);
    }
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const stage = mkdtempSync(join(dataDir, ".restore-"));
  try {
    const archive = join(stage, "archive.tar.gz");
    await readEncrypted(options.archive, options.passphrase, createWriteStream(archive, { mode: 0o600 }));
    const extracted = join(stage, "extracted");
    mkdirSync(extracted);
    await tar.extract({ file: archive, cwd: extracted, strict: true });
    const manifest = JSON.parse(readFileSync(join(extracted, MANIFEST), "utf8")) as BackupManifest;
    if (manifest.format !== 1)
      throw new BackupError(`the backup's format ${String(manifest.format)} is not one this gateway reads`);
    const restoredDb = join(extracted, "data", DATABASE_FILE);
    const integrity = new Database(restoredDb, { fileMustExist: true });
    try {
      const verdict = integrity.pragma("integrity_check", { simple: true });
      if (verdict !== "ok") throw new BackupError(`the backup's database is damaged: ${String(verdict)}`);
    } finally {
      integrity.close();
    }
    openGatewayDatabase(restoredDb).close();
    for (const name of readdirSync(join(extracted, "data"))) renameSync(join(extracted, "data", name), join(dataDir, name));
    if (manifest.hasConfigFile && options.configOut !== undefined) {
      copyFileSync(join(extracted, "gateway.json"), options.configOut);
    }
    if (loadOrCreateGatewayIdentity(dataDir).address !== manifest.gatewayId) {
      throw new BackupError("the restored key is not the gateway the backup names");
    }
    return manifest;
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

/** Reads a passphrase file as written by a person or a secret store: one line, its newline dropped. */
export function readPassphraseFile(path: string): string {
  return readFileSync(path, "utf8").replace(/\r?\n$/, "");
}

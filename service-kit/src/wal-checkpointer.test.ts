import { mkdtempSync, statSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { openSqliteDatabase, type SqliteDatabase } from "./sqlite-database.js";
import { WalCheckpointer } from "./wal-checkpointer.js";

const logger = pino({ level: "silent" });
const LONG_LOG = 1_000_000;
let open: { db: SqliteDatabase; checkpoints?: WalCheckpointer }[] = [];

function scratchDatabase(): { db: SqliteDatabase; path: string } {
  const path = join(mkdtempSync(join(tmpdir(), "wal-checkpointer-")), "test.sqlite");
  const db = openSqliteDatabase(path, {
    migrations: ["CREATE TABLE blobs (id INTEGER PRIMARY KEY, bytes BLOB NOT NULL) STRICT;"],
    owner: "test",
  });
  return { db, path };
}

/** Writes about `megabytes` MB in 64 commits. */
function writeBlobs(db: SqliteDatabase, megabytes: number): void {
  const insert = db.prepare("INSERT INTO blobs (bytes) VALUES (?)");
  const commit = db.transaction((count: number) => {
    for (let i = 0; i < count; i++) insert.run(Buffer.alloc(4_096, i));
  });
  for (let i = 0; i < 64; i++) commit((megabytes * 256) / 64);
}

async function eventually(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

afterEach(async () => {
  for (const { db, checkpoints } of open) {
    await checkpoints?.stop();
    db.close();
  }
  open = [];
});

describe("WalCheckpointer", () => {
  it("copies the log into the database file from its own thread while the writer never does", async () => {
    const { db, path } = scratchDatabase();
    const checkpoints = WalCheckpointer.start(db, { intervalMs: 20, writerCheckpointPages: LONG_LOG, logger });
    open.push({ db, checkpoints });
    const before = statSync(path).size;
    writeBlobs(db, 4);
    // Only a checkpoint writes pages into the database file; the writer's would wait for a log of a million pages.
    await eventually(() => statSync(path).size > before + 4 * 1_024 * 1_024);
    expect(db.prepare("SELECT count(*) AS n FROM blobs").get()).toEqual({ n: 1_024 });
  });

  it("without it, a writer that does not checkpoint leaves the database file as it was", async () => {
    const { db, path } = scratchDatabase();
    open.push({ db });
    db.pragma(`wal_autocheckpoint = ${LONG_LOG}`);
    const before = statSync(path).size;
    writeBlobs(db, 4);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(statSync(path).size).toBe(before);
  });

  it("gives checkpoints back to the writer at SQLite's default when stopped", async () => {
    const { db } = scratchDatabase();
    open.push({ db });
    const checkpoints = WalCheckpointer.start(db, { intervalMs: 20, writerCheckpointPages: LONG_LOG, logger });
    expect(db.pragma("wal_autocheckpoint", { simple: true })).toBe(LONG_LOG);
    await checkpoints.stop();
    expect(db.pragma("wal_autocheckpoint", { simple: true })).toBe(1_000);
  });

  it("gives checkpoints back to the writer when its thread fails, and says so", async () => {
    const { db, path } = scratchDatabase();
    const errors: string[] = [];
    const watching = pino({ level: "error" }, { write: (line: string) => errors.push(line) });
    // The thread opens the file by name: gone, it cannot.
    unlinkSync(path);
    const checkpoints = WalCheckpointer.start(db, { intervalMs: 20, writerCheckpointPages: LONG_LOG, logger: watching });
    open.push({ db, checkpoints });
    await eventually(() => db.pragma("wal_autocheckpoint", { simple: true }) === 1_000);
    expect(errors.join("")).toContain("background checkpoints failed");
  });
});

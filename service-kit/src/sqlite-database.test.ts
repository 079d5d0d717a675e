import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DatabaseVersionError } from "./schema-migrations.js";
import { openSqliteDatabase } from "./sqlite-database.js";

const V1 = "CREATE TABLE readings (seq INTEGER PRIMARY KEY, value INTEGER NOT NULL) STRICT;";
const V2 = "ALTER TABLE readings ADD COLUMN scale INTEGER NOT NULL DEFAULT 0;";

function scratchPath(): string {
  return join(mkdtempSync(join(tmpdir(), "service-kit-db-")), "nested", "test.sqlite");
}

describe("openSqliteDatabase", () => {
  it("applies the migrations it has not applied yet, and records the version", () => {
    const path = scratchPath();
    const first = openSqliteDatabase(path, { migrations: [V1], owner: "gateway" });
    first.prepare("INSERT INTO readings (value) VALUES (7)").run();
    first.close();

    const second = openSqliteDatabase(path, { migrations: [V1, V2], owner: "gateway" });
    expect(second.pragma("user_version", { simple: true })).toBe(2);
    expect(second.prepare("SELECT value, scale FROM readings").get()).toEqual({ value: 7, scale: 0 });
    expect(second.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(second.pragma("synchronous", { simple: true })).toBe(2);
    second.close();
  });

  it("refuses a database written by a newer version, naming its owner", () => {
    const path = scratchPath();
    openSqliteDatabase(path, { migrations: [V1, V2], owner: "relay" }).close();
    let error: unknown;
    try {
      openSqliteDatabase(path, { migrations: [V1], owner: "relay" });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(DatabaseVersionError);
    expect((error as DatabaseVersionError).message).toContain("newer relay");
    expect((error as DatabaseVersionError).details).toEqual({ schemaVersion: 2, supported: 1 });
  });

  it("keeps a failed migration out of the database", () => {
    const path = scratchPath();
    openSqliteDatabase(path, { migrations: [V1], owner: "gateway" }).close();
    expect(() => openSqliteDatabase(path, { migrations: [V1, V2, "CREATE TABLE broken ("], owner: "gateway" })).toThrow();
    const reopened = openSqliteDatabase(path, { migrations: [V1, V2], owner: "gateway" });
    expect(reopened.pragma("user_version", { simple: true })).toBe(2);
    reopened.close();
  });

  it("creates the files readable by their owner only", () => {
    const path = scratchPath();
    const db = openSqliteDatabase(path, { migrations: [V1], owner: "gateway" });
    db.prepare("INSERT INTO readings (value) VALUES (1)").run();
    for (const file of [path, `${path}-wal`, `${path}-shm`]) expect(statSync(file).mode & 0o777).toBe(0o600);
    db.close();
  });
});

import { createHash, randomBytes } from "node:crypto";
import { openSqliteDatabase, type SqliteDatabase } from "@intelledger/service-kit";
import { RelayError } from "../errors.js";

const MIGRATIONS = [
  `CREATE TABLE enrollment_tokens (
     token_sha256 TEXT PRIMARY KEY,
     issued_at_ms INTEGER NOT NULL,
     expires_at_ms INTEGER NOT NULL,
     used_at_ms INTEGER,
     used_by TEXT
   ) STRICT;`,
];

export interface IssuedEnrollmentToken {
  token: string;
  expiresAtMs: number;
}

function sha256(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/**
 * One-time enrollment tokens, in `<dataDir>/enrollment.sqlite` (only their SHA-256 is kept),
 * shared by the running relay and the `relay enrollment-token` command. A token enrolls
 * one gateway, once, before it expires.
 */
export class EnrollmentTokens {
  private readonly db: SqliteDatabase;

  constructor(path: string) {
    this.db = openSqliteDatabase(path, { migrations: MIGRATIONS, owner: "relay" });
  }

  issue(ttlMs: number, now = Date.now()): IssuedEnrollmentToken {
    const token = `ile_${randomBytes(24).toString("base64url")}`;
    const expiresAtMs = now + ttlMs;
    this.db
      .prepare("INSERT INTO enrollment_tokens (token_sha256, issued_at_ms, expires_at_ms) VALUES (?, ?, ?)")
      .run(sha256(token), now, expiresAtMs);
    return { token, expiresAtMs };
  }

  /** Uses a token up for `gatewayId`; throws, saying why, when it is unknown, used or expired. */
  consume(token: string, gatewayId: string, now = Date.now()): void {
    const used = this.db
      .prepare(
        "UPDATE enrollment_tokens SET used_at_ms = ?, used_by = ? WHERE token_sha256 = ? AND used_at_ms IS NULL AND expires_at_ms > ?",
      )
      .run(now, gatewayId, sha256(token), now);
    if (used.changes === 1) return;
    const row = this.db
      .prepare("SELECT expires_at_ms, used_at_ms FROM enrollment_tokens WHERE token_sha256 = ?")
      .get(sha256(token)) as { expires_at_ms: number; used_at_ms: number | null } | undefined;
    const why = !row ? "unknown" : row.used_at_ms !== null ? "already used" : "expired";
    throw new RelayError("permission_denied", `enrollment token ${why}`);
  }

  close(): void {
    this.db.close();
  }
}

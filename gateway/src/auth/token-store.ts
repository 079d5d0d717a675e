import { createHash, randomBytes } from "node:crypto";
import type { SqliteDatabase } from "../store/gateway-database.js";
import type { Role } from "./roles.js";

export type TokenKind = "session" | "api";

/** Who a request comes from, once its session or token checked out. */
export interface Principal {
  username: string;
  role: Role;
  tokenId: number;
  kind: TokenKind;
}

export interface TokenInfo {
  id: number;
  username: string;
  kind: TokenKind;
  label: string;
  createdAtMs: number;
  expiresAtMs: number | undefined;
  lastUsedAtMs: number | undefined;
}

interface TokenRow {
  id: number;
  username: string;
  kind: TokenKind;
  label: string;
  created_at_ms: number;
  expires_at_ms: number | null;
  last_used_at_ms: number | null;
}

/** A prefix per kind lets secret scanners and people tell a session from an API token. */
const PREFIX: Record<TokenKind, string> = { session: "ils_", api: "ilt_" };
/** Writing last-use on every request would cost an fsync each; once a minute is enough to show. */
const LAST_USED_RESOLUTION_MS = 60_000;

function digest(token: string): Buffer {
  return createHash("sha256").update(token).digest();
}

function toInfo(row: TokenRow): TokenInfo {
  return {
    id: row.id,
    username: row.username,
    kind: row.kind,
    label: row.label,
    createdAtMs: row.created_at_ms,
    expiresAtMs: row.expires_at_ms ?? undefined,
    lastUsedAtMs: row.last_used_at_ms ?? undefined,
  };
}

/** Browser sessions and API tokens: random bearer secrets of which only a hash is stored. */
export class TokenStore {
  private readonly db: SqliteDatabase;
  private readonly now: () => number;
  private readonly selectByHash;
  private readonly touch;

  constructor(db: SqliteDatabase, now: () => number = Date.now) {
    this.db = db;
    this.now = now;
    this.selectByHash = db.prepare(
      `SELECT t.id, t.username, t.kind, t.expires_at_ms, t.last_used_at_ms, a.role
       FROM auth_tokens t JOIN accounts a USING (username) WHERE t.token_hash = ?`,
    );
    this.touch = db.prepare("UPDATE auth_tokens SET last_used_at_ms = ? WHERE id = ?");
  }

  /** Issues a token; the secret is returned once and never stored. */
  issue(username: string, kind: TokenKind, label: string, ttlMs?: number): { token: string; info: TokenInfo } {
    const token = PREFIX[kind] + randomBytes(32).toString("base64url");
    const createdAtMs = this.now();
    const expiresAtMs = ttlMs === undefined ? null : createdAtMs + ttlMs;
    const result = this.db
      .prepare(
        "INSERT INTO auth_tokens (token_hash, username, kind, label, created_at_ms, expires_at_ms) VALUES (?, ?, ?, ?, ?, ?)",
      )
      .run(digest(token), username, kind, label, createdAtMs, expiresAtMs);
    return {
      token,
      info: {
        id: Number(result.lastInsertRowid),
        username,
        kind,
        label,
        createdAtMs,
        expiresAtMs: expiresAtMs ?? undefined,
        lastUsedAtMs: undefined,
      },
    };
  }

  /** The principal a token stands for, or undefined when it is unknown, revoked or expired. */
  resolve(token: string): Principal | undefined {
    if (!token.startsWith(PREFIX.session) && !token.startsWith(PREFIX.api)) return undefined;
    const row = this.selectByHash.get(digest(token)) as
      (Pick<TokenRow, "id" | "username" | "kind" | "expires_at_ms" | "last_used_at_ms"> & { role: Role }) | undefined;
    if (!row) return undefined;
    const now = this.now();
    if (row.expires_at_ms !== null && row.expires_at_ms <= now) {
      this.revoke(row.id);
      return undefined;
    }
    if (row.last_used_at_ms === null || now - row.last_used_at_ms >= LAST_USED_RESOLUTION_MS) this.touch.run(now, row.id);
    return { username: row.username, role: row.role, tokenId: row.id, kind: row.kind };
  }

  list(username?: string): TokenInfo[] {
    const rows = (
      username === undefined
        ? this.db.prepare("SELECT * FROM auth_tokens ORDER BY id").all()
        : this.db.prepare("SELECT * FROM auth_tokens WHERE username = ? ORDER BY id").all(username)
    ) as TokenRow[];
    return rows.map(toInfo);
  }

  get(id: number): TokenInfo | undefined {
    const row = this.db.prepare("SELECT * FROM auth_tokens WHERE id = ?").get(id) as TokenRow | undefined;
    return row && toInfo(row);
  }

  revoke(id: number): void {
    this.db.prepare("DELETE FROM auth_tokens WHERE id = ?").run(id);
  }

  /** Ends every session of an account, as after a password change. */
  revokeSessions(username: string): void {
    this.db.prepare("DELETE FROM auth_tokens WHERE username = ? AND kind = 'session'").run(username);
  }

  purgeExpired(): number {
    return this.db.prepare("DELETE FROM auth_tokens WHERE expires_at_ms IS NOT NULL AND expires_at_ms <= ?").run(this.now())
      .changes;
  }
}

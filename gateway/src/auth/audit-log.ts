import type { Logger } from "pino";
import type { SqliteDatabase } from "../store/gateway-database.js";

export interface AuditEntry {
  id: number;
  atMs: number;
  /** An account name, or `system` for what the gateway did by itself. */
  actor: string;
  /** Dotted verb, e.g. `account.create`, `flows.deploy`. */
  action: string;
  target: string | undefined;
  details: Record<string, unknown>;
}

interface AuditRow {
  id: number;
  at_ms: number;
  actor: string;
  action: string;
  target: string | null;
  details: string;
}

/** Every change to the gateway's configuration, who made it and when; append-only in SQLite. */
export class AuditLog {
  private readonly insert;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly logger: Logger,
  ) {
    this.insert = db.prepare("INSERT INTO audit_log (at_ms, actor, action, target, details) VALUES (?, ?, ?, ?, ?)");
  }

  record(actor: string, action: string, target?: string, details: Record<string, unknown> = {}): AuditEntry {
    const atMs = Date.now();
    const result = this.insert.run(atMs, actor, action, target ?? null, JSON.stringify(details));
    const entry: AuditEntry = { id: Number(result.lastInsertRowid), atMs, actor, action, target, details };
    this.logger.info({ audit: entry }, `${actor}: ${action}${target === undefined ? "" : ` ${target}`}`);
    return entry;
  }

  /** Newest first; `beforeId` pages back. */
  list(options: { limit?: number; beforeId?: number } = {}): AuditEntry[] {
    const rows = this.db
      .prepare("SELECT * FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT ?")
      .all(options.beforeId ?? Number.MAX_SAFE_INTEGER, Math.min(options.limit ?? 100, 1000)) as AuditRow[];
    return rows.map((row) => ({
      id: row.id,
      atMs: row.at_ms,
      actor: row.actor,
      action: row.action,
      target: row.target ?? undefined,
      details: JSON.parse(row.details) as Record<string, unknown>,
    }));
  }
}

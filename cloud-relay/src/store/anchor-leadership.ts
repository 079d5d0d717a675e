import { RelayError } from "../errors.js";
import type { SqlExecutor } from "./sql-database.js";

/**
 * Which replica anchors. Exactly one holds the lead at a time; taking it starts a new term,
 * and the anchor ledger refuses writes of any earlier term (the fencing token), so a leader
 * that lost the lead without knowing it cannot overwrite its successor's work.
 */
export interface AnchorLeadership {
  /** This replica's term if it leads (taking the lead when it is free), else undefined. */
  claim(): Promise<number | undefined>;
  /** The term held as of the last claim. */
  readonly term: number | undefined;
  /** Gives the lead up, so another replica takes over at once. */
  close(): Promise<void>;
}

/** Starts the next term under `holder`'s name. */
export async function nextTerm(db: SqlExecutor, holder: string, nowMs: number): Promise<number> {
  const row = await db.get<{ term: number }>(
    "UPDATE anchor_leadership SET term = term + 1, holder = ?, acquired_at_ms = ? WHERE id = 1 RETURNING term",
    [holder, nowMs],
  );
  if (!row) throw new RelayError("internal", "the anchor_leadership row is missing from the relay database");
  return row.term;
}

/** The embedded relay is the only writer of its SQLite file: it leads from its first claim on, under a term of its own. */
export class SoleLeadership implements AnchorLeadership {
  term: number | undefined;
  private readonly db: SqlExecutor;
  private readonly holder: string;

  constructor(db: SqlExecutor, holder: string) {
    this.db = db;
    this.holder = holder;
  }

  async claim(): Promise<number> {
    this.term ??= await nextTerm(this.db, this.holder, Date.now());
    return this.term;
  }

  close(): Promise<void> {
    this.term = undefined;
    return Promise.resolve();
  }
}

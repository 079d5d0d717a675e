import pg from "pg";
import { nextTerm, type AnchorLeadership } from "./anchor-leadership.js";
import type { SqlExecutor } from "./sql-database.js";

/** Key of the session-level advisory lock the anchoring leader holds. */
const LEADER_LOCK_KEY = 0x616e6368; // "anch"

/**
 * The lead among replicas on one PostgreSQL: a session-level advisory lock held on a
 * connection of its own. A leader that dies loses its connection and the server frees the
 * lock at once; the next replica to claim takes it (replicas claim every second or so while
 * they follow). The leader checks its connection at every claim and gives the lead up the
 * moment the connection fails, since the server may have freed its lock.
 */
export class AdvisoryLockLeadership implements AnchorLeadership {
  term: number | undefined;
  private readonly config: pg.ClientConfig;
  private readonly db: SqlExecutor;
  private readonly holder: string;
  private client: pg.Client | undefined;

  constructor(config: pg.ClientConfig, db: SqlExecutor, holder: string) {
    this.config = config;
    this.db = db;
    this.holder = holder;
  }

  async claim(): Promise<number | undefined> {
    try {
      const client = await this.connection();
      if (this.term !== undefined) {
        await client.query("SELECT 1");
        return this.term;
      }
      const { rows } = await client.query<{ held: boolean }>("SELECT pg_try_advisory_lock($1) AS held", [LEADER_LOCK_KEY]);
      if (rows[0]?.held !== true) return undefined;
      this.term = await nextTerm(this.db, this.holder, Date.now());
      return this.term;
    } catch (error) {
      await this.close();
      throw error;
    }
  }

  async close(): Promise<void> {
    this.term = undefined;
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connection(): Promise<pg.Client> {
    if (this.client) return this.client;
    const client = new pg.Client(this.config);
    client.on("error", () => void this.close());
    await client.connect();
    this.client = client;
    return client;
  }
}

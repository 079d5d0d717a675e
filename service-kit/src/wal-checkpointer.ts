import { Worker } from "node:worker_threads";
import type { Logger } from "pino";
import type { SqliteDatabase } from "./sqlite-database.js";

const SQLITE_DEFAULT_CHECKPOINT_PAGES = 1_000;

export interface WalCheckpointerOptions {
  /** How often the thread copies the log into the database file. */
  intervalMs: number;
  /**
   * The log's length in pages at which the writer copies it itself, as SQLite does by default
   * at 1,000: a backstop for when the thread falls behind a writer that never pauses, or fails.
   */
  writerCheckpointPages: number;
  logger: Logger;
}

/**
 * Copies a database's write-ahead log into the database file from a thread of its own.
 * SQLite otherwise does it inside whichever commit makes the log 1,000 pages long, so that
 * commit holds the event loop for the copy and two fsyncs: tens of milliseconds that every
 * write waiting on it waits too. With the thread copying passively, the writer's own
 * checkpoint, kept as a backstop at a longer log, finds little left to copy. If the thread
 * fails, the writer checkpoints at SQLite's default again.
 */
export class WalCheckpointer {
  private readonly db: SqliteDatabase;
  private readonly worker: Worker;
  private readonly stopped: Promise<void>;

  private constructor(db: SqliteDatabase, options: WalCheckpointerOptions) {
    this.db = db;
    db.pragma(`wal_autocheckpoint = ${options.writerCheckpointPages}`);
    this.worker = new Worker(new URL("./wal-checkpoint-worker.mjs", import.meta.url), {
      workerData: { path: db.name, intervalMs: options.intervalMs },
    });
    this.stopped = new Promise((resolve) => this.worker.once("exit", () => resolve()));
    this.worker.once("error", (error) => {
      options.logger.error({ err: error }, "background checkpoints failed; the writer checkpoints its log itself again");
      this.writerCheckpointsAlone();
    });
  }

  /** Starts checkpointing `db`, a file database in WAL mode, from a thread. */
  static start(db: SqliteDatabase, options: WalCheckpointerOptions): WalCheckpointer {
    return new WalCheckpointer(db, options);
  }

  /** Ends the thread; the writer checkpoints at SQLite's default from then on, and what is left as it closes. */
  async stop(): Promise<void> {
    this.worker.postMessage("stop");
    await this.stopped;
    this.writerCheckpointsAlone();
  }

  private writerCheckpointsAlone(): void {
    if (this.db.open) this.db.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_CHECKPOINT_PAGES}`);
  }
}

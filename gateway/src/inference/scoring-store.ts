import type { SqliteDatabase } from "../store/gateway-database.js";
import { LAST_SEQ, SELECT_READINGS, toReading, type ReadingRow, type StoredReading } from "../store/reading-store.js";

/** A decision for one reading: its score (none while its channel warms up) and flag. */
export interface ScoreRecord {
  gatewaySeq: number;
  score: number | undefined;
  anomalous: boolean;
  /** Set when the reading is decided without a score. */
  unscoredReason?: "warming-up";
}

/** The readings table as inference sees it: what is left to score, the history, and the scores. */
export class ScoringStore {
  private readonly statements;
  private readonly recordTransaction;

  constructor(db: SqliteDatabase) {
    this.statements = {
      after: db.prepare(`${SELECT_READINGS} WHERE gateway_seq > ? ORDER BY gateway_seq LIMIT ?`),
      firstUndecided: db.prepare("SELECT min(gateway_seq) AS seq FROM reading_rows WHERE anomalous IS NULL"),
      lastSeq: db.prepare(LAST_SEQ).pluck(),
      history: db.prepare(
        "SELECT device_id, channel, channel_index, value, scale FROM readings WHERE gateway_seq > ? AND gateway_seq <= ? ORDER BY gateway_seq",
      ),
      addModel: db.prepare("INSERT OR IGNORE INTO anomaly_models (model_version) VALUES (?)"),
      record: db.prepare(
        `UPDATE reading_rows SET anomaly_score = ?, anomalous = ?,
           model = (SELECT model FROM anomaly_models WHERE model_version = ?),
           unscored = (SELECT code FROM unscored_reasons WHERE reason = ?)
         WHERE gateway_seq = ? AND anomalous IS NULL`,
      ),
    };
    this.recordTransaction = db.transaction((records: readonly ScoreRecord[], modelVersion: string) => {
      const applied = new Set<number>();
      this.statements.addModel.run(modelVersion);
      for (const r of records) {
        const changes = this.statements.record.run(
          r.score ?? null,
          r.anomalous ? 1 : 0,
          modelVersion,
          r.unscoredReason ?? null,
          r.gatewaySeq,
        ).changes;
        if (changes > 0) applied.add(r.gatewaySeq);
      }
      return applied;
    });
  }

  /** The gateway_seq scoring resumes after: before the first undecided reading, or the last one. */
  resumeAfter(): number {
    const first = (this.statements.firstUndecided.get() as { seq: number | null }).seq;
    return first === null ? (this.statements.lastSeq.get() as number) : first - 1;
  }

  after(seq: number, limit: number): StoredReading[] {
    return (this.statements.after.all(seq, limit) as ReadingRow[]).map(toReading);
  }

  /** Values of the readings in (fromSeq, toSeq], in order, to rebuild channel windows from. */
  history(
    fromSeq: number,
    toSeq: number,
  ): { device_id: string; channel: number; channel_index: number; value: number; scale: number }[] {
    return this.statements.history.all(fromSeq, toSeq) as {
      device_id: string;
      channel: number;
      channel_index: number;
      value: number;
      scale: number;
    }[];
  }

  /**
   * Stores the decisions of one model version in one transaction, except for readings
   * decided meanwhile (sealed after a scoring timeout); returns the gateway_seqs stored.
   */
  record(records: readonly ScoreRecord[], modelVersion: string): Set<number> {
    return this.recordTransaction(records, modelVersion);
  }
}

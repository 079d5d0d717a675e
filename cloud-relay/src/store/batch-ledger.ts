import { Batch, type BatchHeader } from "@intelledger/proto/relay";
import { RelayError, RelayRefusal } from "../errors.js";
import { StorageConflict, type SqlDatabase, type SqlExecutor } from "./sql-database.js";
import { anchorPathOf } from "./anchor-path.js";
import { receivedPayload, storedPayload } from "./stored-payload.js";

export interface LedgerBatch extends BatchHeader {
  batchHash: Uint8Array;
  receivedAtMs: number;
  signature: Uint8Array;
  /** The encoded Batch as the gateway sent it; empty for a pruned batch. */
  payload: Uint8Array;
}

/** A gateway's signed account of readings it removed before uploading them. */
export interface LedgerGap extends Pick<BatchHeader, "gatewayId" | "readingCount" | "firstGatewaySeq" | "lastGatewaySeq"> {
  batchSequence: number;
  reason: string;
  pruned: Uint8Array;
  prunedSignature: Uint8Array;
  receivedAtMs: number;
}

/** Where a batch is in its anchor. */
export interface BatchAnchoring {
  anchorId: number;
  /** Its leaf index in the anchor's tree. */
  position: number;
  /** Its path there, the siblings leaf level first; absent for batches anchored before paths were kept. */
  siblings?: Uint8Array[];
}

/** What a call tells of the gateway beside its liveness; each part only when the call said it. */
export interface GatewayContact {
  /** The TLS peer's address, without its port. */
  address?: string;
  softwareVersion?: string;
  /** The gateway's clock minus the relay's, in milliseconds. */
  clockOffsetMs?: number;
}

export interface ChainHead {
  sequence: number;
  batchHash: Uint8Array;
  lastGatewaySeq: number;
}

/** A row of the batches table. */
export interface BatchRow {
  gateway_id: string;
  sequence: number;
  batch_hash: Buffer;
  previous_batch_hash: Buffer;
  readings_root: Buffer;
  first_gateway_seq: number;
  last_gateway_seq: number;
  reading_count: number;
  data_class: number;
  sealed_at_ms: number;
  received_at_ms: number;
  signature: Buffer;
  payload: Buffer;
  payload_deflated: number;
}

function toLedgerBatch(row: BatchRow): LedgerBatch {
  return {
    gatewayId: row.gateway_id,
    sequence: row.sequence,
    batchHash: new Uint8Array(row.batch_hash),
    previousBatchHash: new Uint8Array(row.previous_batch_hash),
    readingsRoot: new Uint8Array(row.readings_root),
    firstGatewaySeq: row.first_gateway_seq,
    lastGatewaySeq: row.last_gateway_seq,
    readingCount: row.reading_count,
    dataClass: row.data_class,
    sealedAtMs: row.sealed_at_ms,
    receivedAtMs: row.received_at_ms,
    signature: new Uint8Array(row.signature),
    payload: receivedPayload(row.payload, row.payload_deflated),
  };
}

const INSERT_BATCH = `INSERT INTO batches (gateway_id, sequence, batch_hash, previous_batch_hash, readings_root, first_gateway_seq,
    last_gateway_seq, reading_count, data_class, sealed_at_ms, received_at_ms, signature, payload, payload_deflated)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
const INSERT_GAP = `INSERT INTO gaps (gateway_id, batch_sequence, reason, reading_count, first_gateway_seq, last_gateway_seq, pruned,
    pruned_signature, received_at_ms)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`;
const HEAD = "SELECT sequence, batch_hash, last_gateway_seq FROM batches WHERE gateway_id = ? ORDER BY sequence DESC LIMIT 1";

function storedConcurrently(entries: readonly { batch: LedgerBatch }[], cause: unknown): RelayRefusal {
  return new RelayRefusal(
    "aborted",
    "stored_concurrently",
    "another upload stored these batches first; register again to learn where the chain stands",
    { batches: entries.length, firstSequence: entries[0]?.batch.sequence ?? 0 },
    { cause },
  );
}

/** Gateways and the chains of batches they delivered. */
export class BatchLedger {
  private readonly db: SqlDatabase;

  constructor(db: SqlDatabase) {
    this.db = db;
  }

  /** Records a gateway's registration or return, and the address it called from when known. */
  /**
   * Notes a call from the gateway: when, from where, and what it said of itself (its
   * software version, its clock's offset from the relay's). What it did not say is kept.
   */
  async touchGateway(gatewayId: string, nowMs: number, contact: GatewayContact = {}): Promise<void> {
    await this.db.run(
      `INSERT INTO gateways (gateway_id, registered_at_ms, last_seen_at_ms, address, software_version, clock_offset_ms)
       VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (gateway_id) DO UPDATE SET last_seen_at_ms = excluded.last_seen_at_ms,
         address = coalesce(excluded.address, gateways.address),
         software_version = coalesce(excluded.software_version, gateways.software_version),
         clock_offset_ms = coalesce(excluded.clock_offset_ms, gateways.clock_offset_ms)`,
      [gatewayId, nowMs, nowMs, contact.address ?? null, contact.softwareVersion ?? null, contact.clockOffsetMs ?? null],
    );
  }

  async recordHeartbeat(gatewayId: string, nowMs: number, backlog: { batches: number; readings: number }): Promise<void> {
    await this.db.run("UPDATE gateways SET last_seen_at_ms = ?, backlog_batches = ?, backlog_readings = ? WHERE gateway_id = ?", [
      nowMs,
      backlog.batches,
      backlog.readings,
      gatewayId,
    ]);
  }

  /** Readings all gateways last reported waiting to upload. */
  async reportedBacklogReadings(): Promise<number> {
    return (await this.db.get<{ n: number }>("SELECT coalesce(sum(backlog_readings), 0) AS n FROM gateways"))?.n ?? 0;
  }

  /** The last batch stored for the gateway, or undefined if none. */
  async head(gatewayId: string): Promise<ChainHead | undefined> {
    return toHead(await this.db.get<HeadRow>(HEAD, [gatewayId]));
  }

  /**
   * How far a gateway's batches reach in its gateway_seq numbering and how many readings they
   * declare (pruned ones included); up to batch `throughSequence`, to match a head read before.
   */
  async accounting(
    gatewayId: string,
    throughSequence = Number.MAX_SAFE_INTEGER,
  ): Promise<{ frontier: number; accounted: number }> {
    const row = await this.db.get<{ frontier: number; accounted: number }>(
      `SELECT coalesce(max(last_gateway_seq), 0) AS frontier, coalesce(sum(reading_count), 0) AS accounted
       FROM batches WHERE gateway_id = ? AND sequence <= ?`,
      [gatewayId, throughSequence],
    );
    return row ?? { frontier: 0, accounted: 0 };
  }

  /** The hash of a stored batch, to answer a resend of it. */
  async batchHashOf(gatewayId: string, sequence: number): Promise<Uint8Array | undefined> {
    const row = await this.db.get<{ batch_hash: Buffer }>(
      "SELECT batch_hash FROM batches WHERE gateway_id = ? AND sequence = ?",
      [gatewayId, sequence],
    );
    return row && new Uint8Array(row.batch_hash);
  }

  async get(gatewayId: string, sequence: number): Promise<LedgerBatch | undefined> {
    const row = await this.db.get<BatchRow>("SELECT * FROM batches WHERE gateway_id = ? AND sequence = ?", [gatewayId, sequence]);
    return row && toLedgerBatch(row);
  }

  /** The batch holding a gateway's reading: batches of different data classes interleave, so the range alone does not tell. */
  async containing(gatewayId: string, gatewaySeq: number): Promise<LedgerBatch | undefined> {
    const candidates = await this.db.all<BatchRow>(
      "SELECT * FROM batches WHERE gateway_id = ? AND first_gateway_seq <= ? AND last_gateway_seq >= ? ORDER BY sequence",
      [gatewayId, gatewaySeq, gatewaySeq],
    );
    if (candidates.length <= 1) return candidates[0] && toLedgerBatch(candidates[0]);
    return candidates
      .map(toLedgerBatch)
      .find(
        (batch) =>
          batch.payload.length === 0 || Batch.decode(batch.payload).readings.some((reading) => reading.gatewaySeq === gatewaySeq),
      );
  }

  /** The anchor a batch went into, its leaf index there and, kept since anchoring, its path. */
  async anchorOf(gatewayId: string, sequence: number): Promise<BatchAnchoring | undefined> {
    const row = await this.db.get<{ anchor_id: number; anchor_position: number; anchor_path: Uint8Array | null }>(
      "SELECT anchor_id, anchor_position, anchor_path FROM batches WHERE gateway_id = ? AND sequence = ? AND anchor_id IS NOT NULL",
      [gatewayId, sequence],
    );
    return (
      row && {
        anchorId: row.anchor_id,
        position: row.anchor_position,
        ...(row.anchor_path !== null && { siblings: anchorPathOf(row.anchor_path) }),
      }
    );
  }

  /** The batches an anchor covers, in their leaf order. */
  async byAnchor(anchorId: number): Promise<LedgerBatch[]> {
    return (await this.db.all<BatchRow>("SELECT * FROM batches WHERE anchor_id = ? ORDER BY anchor_position", [anchorId])).map(
      toLedgerBatch,
    );
  }

  /**
   * The last gateway_seq stored for one data class of the gateway, or 0; up to batch
   * `throughSequence`, so that a reader sees the record as of the head it read (another
   * replica may have stored more since).
   */
  async classHead(gatewayId: string, dataClass: number, throughSequence = Number.MAX_SAFE_INTEGER): Promise<number> {
    const row = await this.db.get<{ last_gateway_seq: number }>(
      `SELECT last_gateway_seq FROM batches WHERE gateway_id = ? AND data_class = ? AND sequence <= ?
       ORDER BY sequence DESC LIMIT 1`,
      [gatewayId, dataClass, throughSequence],
    );
    return row?.last_gateway_seq ?? 0;
  }

  /**
   * Stores batches of one gateway, and the gaps pruned ones declare, in one transaction.
   * The gateway's row is updated first, which locks it on PostgreSQL: writers of the same
   * gateway (other replicas included) take turns, and each checks that its batches extend
   * the chain as it stands in the database, by sequence and hash. A batch another writer
   * stored first fails the whole transaction with an `aborted` refusal: the gateway
   * registers again and resumes.
   */
  async appendAll(entries: readonly { batch: LedgerBatch; gap: LedgerGap | undefined }[]): Promise<void> {
    const first = entries[0];
    if (!first) return;
    const { gatewayId } = first.batch;
    try {
      await this.db.transaction(async (tx) => {
        await tx.run("UPDATE gateways SET last_batch_at_ms = ? WHERE gateway_id = ?", [first.batch.receivedAtMs, gatewayId]);
        let head = toHead(await tx.get<HeadRow>(HEAD, [gatewayId]));
        for (const { batch, gap } of entries) {
          if (batch.gatewayId !== gatewayId) throw new RelayError("internal", "one append holds batches of one gateway");
          if (head && (batch.sequence !== head.sequence + 1 || Buffer.compare(batch.previousBatchHash, head.batchHash) !== 0)) {
            throw storedConcurrently(
              entries,
              new Error(`batch ${batch.sequence} does not extend the stored head ${head.sequence}`),
            );
          }
          await insert(tx, batch, gap);
          head = { sequence: batch.sequence, batchHash: batch.batchHash, lastGatewaySeq: batch.lastGatewaySeq };
        }
      });
    } catch (error) {
      if (error instanceof StorageConflict) throw storedConcurrently(entries, error);
      throw error;
    }
  }

  /** The gaps a gateway declared, in batch order. */
  async gaps(gatewayId: string): Promise<LedgerGap[]> {
    const rows = await this.db.all<{
      gateway_id: string;
      batch_sequence: number;
      reason: string;
      reading_count: number;
      first_gateway_seq: number;
      last_gateway_seq: number;
      pruned: Buffer;
      pruned_signature: Buffer;
      received_at_ms: number;
    }>("SELECT * FROM gaps WHERE gateway_id = ? ORDER BY batch_sequence", [gatewayId]);
    return rows.map((row) => ({
      gatewayId: row.gateway_id,
      batchSequence: row.batch_sequence,
      reason: row.reason,
      readingCount: row.reading_count,
      firstGatewaySeq: row.first_gateway_seq,
      lastGatewaySeq: row.last_gateway_seq,
      pruned: new Uint8Array(row.pruned),
      prunedSignature: new Uint8Array(row.pruned_signature),
      receivedAtMs: row.received_at_ms,
    }));
  }

  async totals(): Promise<{ gateways: number; batches: number; readings: number; gaps: number; readingsInGaps: number }> {
    const row = await this.db.get<{ gateways: number; batches: number; readings: number; gaps: number; readingsInGaps: number }>(
      `SELECT (SELECT count(*) FROM gateways) AS gateways, count(*) AS batches,
         coalesce(sum(reading_count), 0) - (SELECT coalesce(sum(reading_count), 0) FROM gaps) AS readings,
         (SELECT count(*) FROM gaps) AS gaps, (SELECT coalesce(sum(reading_count), 0) FROM gaps) AS "readingsInGaps"
       FROM batches`,
    );
    return row ?? { gateways: 0, batches: 0, readings: 0, gaps: 0, readingsInGaps: 0 };
  }
}

type HeadRow = Pick<BatchRow, "sequence" | "batch_hash" | "last_gateway_seq">;

function toHead(row: HeadRow | undefined): ChainHead | undefined {
  return row && { sequence: row.sequence, batchHash: new Uint8Array(row.batch_hash), lastGatewaySeq: row.last_gateway_seq };
}

async function insert(tx: SqlExecutor, batch: LedgerBatch, gap: LedgerGap | undefined): Promise<void> {
  const payload = storedPayload(batch.payload);
  await tx.run(INSERT_BATCH, [
    batch.gatewayId,
    batch.sequence,
    batch.batchHash,
    batch.previousBatchHash,
    batch.readingsRoot,
    batch.firstGatewaySeq,
    batch.lastGatewaySeq,
    batch.readingCount,
    batch.dataClass,
    batch.sealedAtMs,
    batch.receivedAtMs,
    batch.signature,
    payload.bytes,
    payload.deflated,
  ]);
  if (!gap) return;
  await tx.run(INSERT_GAP, [
    gap.gatewayId,
    gap.batchSequence,
    gap.reason,
    gap.readingCount,
    gap.firstGatewaySeq,
    gap.lastGatewaySeq,
    gap.pruned,
    gap.prunedSignature,
    gap.receivedAtMs,
  ]);
}

import { Batch, Pruned, type BatchHeader, type Reading } from "@intelledger/proto/relay";
import Database from "better-sqlite3";
import { receivedPayload } from "../../cloud-relay/src/store/stored-payload.js";

export interface RelayRecord {
  readings: Reading[];
  /** Gateway sequence ranges the gateways declared pruned, with their reasons. */
  gaps: (Pick<BatchHeader, "firstGatewaySeq" | "lastGatewaySeq" | "readingCount"> & { reason: string; pruned: Pruned })[];
  batches: number;
  anchors: { root: string; status: string; txHash: string | null; batchCount: number }[];
  batchesPerAnchor: Map<number, number>;
  unanchoredBatches: number;
}

/** Everything a relay database holds, read directly from the file (the relay may be stopped or dead). */
export function readRelayDatabase(path: string): RelayRecord {
  const db = new Database(path, { readonly: true });
  try {
    const batches = db
      .prepare("SELECT payload, payload_deflated, anchor_id FROM batches ORDER BY gateway_id, sequence")
      .all() as {
      payload: Buffer;
      payload_deflated: number;
      anchor_id: number | null;
    }[];
    const readings = batches
      .filter((row) => row.payload.length > 0)
      .flatMap((row) => Batch.decode(receivedPayload(row.payload, row.payload_deflated)).readings);
    const gaps = (
      db.prepare("SELECT first_gateway_seq, last_gateway_seq, reading_count, reason, pruned FROM gaps").all() as {
        first_gateway_seq: number;
        last_gateway_seq: number;
        reading_count: number;
        reason: string;
        pruned: Buffer;
      }[]
    ).map((row) => ({
      firstGatewaySeq: row.first_gateway_seq,
      lastGatewaySeq: row.last_gateway_seq,
      readingCount: row.reading_count,
      reason: row.reason,
      pruned: Pruned.decode(row.pruned),
    }));
    const anchors = (
      db.prepare("SELECT hex(root) AS root, status, tx_hash, batch_count FROM anchors ORDER BY id").all() as {
        root: string;
        status: string;
        tx_hash: string | null;
        batch_count: number;
      }[]
    ).map((row) => ({
      root: `0x${row.root.toLowerCase()}`,
      status: row.status,
      txHash: row.tx_hash,
      batchCount: row.batch_count,
    }));
    const batchesPerAnchor = new Map<number, number>();
    for (const row of batches)
      if (row.anchor_id !== null) batchesPerAnchor.set(row.anchor_id, (batchesPerAnchor.get(row.anchor_id) ?? 0) + 1);
    return {
      readings,
      gaps,
      batches: batches.length,
      anchors,
      batchesPerAnchor,
      unanchoredBatches: batches.filter((row) => row.anchor_id === null).length,
    };
  } finally {
    db.close();
  }
}

import type { UploadCounters } from "./grpc/upload-counters.js";
import type { AnchorLedger } from "./store/anchor-ledger.js";
import type { BatchLedger } from "./store/batch-ledger.js";

/** The relay's state at one moment: what metrics and status show. */
export interface RelaySnapshot {
  uploads: UploadCounters;
  /** Calls refused since the relay started, by reason (see errors.ts, RefusalReason). */
  refusals: Readonly<Record<string, number>>;
  openUploadStreams: number;
  stored: ReturnType<BatchLedger["totals"]>;
  anchored: ReturnType<AnchorLedger["totals"]>;
  gatewayBacklogReadings: number;
  drainReadingsPerSecond: number;
}

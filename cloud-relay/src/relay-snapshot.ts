import type { UploadCounters } from "./grpc/upload-counters.js";
import type { AnchorLedger } from "./store/anchor-ledger.js";
import type { BatchLedger } from "./store/batch-ledger.js";

/** The relay's state at one moment: what metrics and status show. */
export interface RelaySnapshot {
  uploads: UploadCounters;
  openUploadStreams: number;
  stored: ReturnType<BatchLedger["totals"]>;
  anchored: ReturnType<AnchorLedger["totals"]>;
  gatewayBacklogReadings: number;
  drainReadingsPerSecond: number;
}

import type { UploadCounters } from "./grpc/upload-counters.js";
import type { AnchorLedger } from "./store/anchor-ledger.js";
import type { BatchLedger } from "./store/batch-ledger.js";
import type { FleetGateway } from "./store/fleet-view.js";

/** The relay's state at one moment: what metrics and status show. */
export interface RelaySnapshot {
  uploads: UploadCounters;
  /** Calls refused since the relay started, by reason (see errors.ts, RefusalReason). */
  refusals: Readonly<Record<string, number>>;
  openUploadStreams: number;
  stored: Awaited<ReturnType<BatchLedger["totals"]>>;
  anchored: Awaited<ReturnType<AnchorLedger["totals"]>>;
  gatewayBacklogReadings: number;
  drainReadingsPerSecond: number;
  /** Every gateway the relay knows, as the fleet view shows it. */
  fleet: readonly FleetGateway[];
  /** Per gateway, when its oldest batch not yet anchored was stored (Unix ms); gateways with none are absent. */
  unanchoredSinceMs: Readonly<Record<string, number>>;
  /** The leadership term this replica anchors under, or undefined while another replica anchors. */
  anchoringTerm: number | undefined;
}

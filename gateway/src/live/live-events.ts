import type { Logger } from "pino";
import { ListenerFeed } from "../feeds/listener-feed.js";
import type { SubsystemStatus } from "../supervision/subsystems.js";

/** What happened to a device: quarantine by ingest, the rest by a technician. */
export type DeviceChange =
  | "quarantined"
  | "released"
  | "registered"
  | "deactivated"
  | "reactivated"
  | "decommissioned"
  | "key-rotated"
  | "counter-reset"
  | "settings-changed"
  | "mqtt-login-issued";

/** What the live stream carries; each is an SSE event of that name. */
export type LiveEvent =
  | {
      type: "reading";
      deviceId: string;
      channel: string;
      index: number;
      timestampMs: number;
      value: number;
      /** When the reading was durable in the gateway's database. */
      durableAtMs: number;
      transport: string;
    }
  | { type: "anomaly"; deviceId: string; channel: string; gatewaySeq: number; score: number; threshold: number; model: string }
  | {
      type: "alert";
      /** The alert reading's gateway sequence number. */
      gatewaySeq: number;
      source: string;
      severity: string;
      code: number;
      message: string;
      subjectDeviceId?: string;
    }
  | { type: "device"; deviceId: string; state: DeviceChange }
  | { type: "batch"; sequence: number; dataClass: number; readingCount: number; lastGatewaySeq: number; sealedAtMs: number }
  | { type: "proof"; proved: number; uploaded: number; invalid: number }
  | { type: "ack"; batchesAcked: number }
  | { type: "anchor"; sequence: number; transactionHash: string; blockNumber: number; confirmedAtMs: number }
  /** A subsystem's state changed (see GET /api/status, subsystems). */
  | ({ type: "subsystem" } & SubsystemStatus);

export type LiveEventType = LiveEvent["type"];
/** Each event type once, in the order the API lists them; a record, so none can be left out. */
const LISTED_EVENT_TYPES: Record<LiveEventType, true> = {
  reading: true,
  anomaly: true,
  alert: true,
  device: true,
  batch: true,
  proof: true,
  ack: true,
  anchor: true,
  subsystem: true,
};
export const LIVE_EVENT_TYPES = Object.keys(LISTED_EVENT_TYPES) as readonly LiveEventType[];

/** The gateway's events for live screens: published by its parts, fanned out to subscribers. */
export class LiveEvents extends ListenerFeed<LiveEvent> {
  constructor(logger: Logger) {
    super(logger, { message: "a live listener failed", context: (event) => ({ type: event.type }) });
  }
}

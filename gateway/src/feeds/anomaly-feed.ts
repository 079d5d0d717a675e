import type { Reading } from "@intelledger/proto/relay";
import type { Logger } from "pino";
import type { AnomalyScore } from "node-red-contrib-intelledger/gateway-api";
import { ListenerFeed } from "./listener-feed.js";

export interface ScoredReading {
  reading: Reading;
  anomaly: AnomalyScore;
}

/**
 * Scored readings, as inference produces them, for whoever listens (flows, the console).
 * Inference calls `publish` once a score is stored; a listener that throws is logged
 * and never reaches inference.
 */
export class AnomalyFeed extends ListenerFeed<ScoredReading> {
  constructor(logger: Logger) {
    super(logger, {
      message: "an anomaly listener failed",
      context: (scored) => ({ gatewaySeq: scored.reading.gatewaySeq }),
    });
  }
}

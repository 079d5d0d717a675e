import type { Reading } from "@intelledger/proto/relay";
import type { Logger } from "pino";
import type { AnomalyScore } from "node-red-contrib-intelledger/gateway-api";

export interface ScoredReading {
  reading: Reading;
  anomaly: AnomalyScore;
}

/**
 * Scored readings, as inference produces them, for whoever listens (flows, the console).
 * Inference calls `publish` once a score is stored; a listener that throws is logged
 * and never reaches inference.
 */
export class AnomalyFeed {
  private readonly listeners = new Set<(scored: ScoredReading) => void>();
  private readonly logger: Logger;

  constructor(logger: Logger) {
    this.logger = logger;
  }

  subscribe(listener: (scored: ScoredReading) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(scored: ScoredReading): void {
    for (const listener of this.listeners) {
      try {
        listener(scored);
      } catch (error) {
        this.logger.warn({ err: error, gatewaySeq: scored.reading.gatewaySeq }, "an anomaly listener failed");
      }
    }
  }
}

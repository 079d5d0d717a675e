import { collectDefaultMetrics, Histogram, type Registry } from "prom-client";

/**
 * What the relay measures as it happens rather than reads from its snapshot: how long a
 * batch waits from arriving to its ack, and the process itself (resident memory, CPU, event
 * loop delay, heap: prom-client's standard process_* and nodejs_* metrics).
 */
export class OperationsMetrics {
  private readonly ackSeconds: Histogram;

  constructor(registry: Registry) {
    collectDefaultMetrics({ register: registry });
    this.ackSeconds = new Histogram({
      name: "intelledger_relay_batch_ack_seconds",
      help: "From a batch's arrival on an upload stream to its ack: verified and stored durably.",
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    });
  }

  /** A batch was acknowledged `seconds` after it arrived. */
  acked(seconds: number): void {
    this.ackSeconds.observe(seconds);
  }
}

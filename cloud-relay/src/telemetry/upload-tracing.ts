/**
 * What the upload path and anchoring report to tracing, when it is on. When it is off the
 * relay holds no tracing object at all: each call site is one `undefined` check.
 */

/** One batch's trace, from its arrival on an upload stream to its ack (or refusal). */
export interface BatchTrace {
  /** Its signature, header and readings were checked (`error` when they failed). */
  verified(error?: unknown): void;
  /** Its transaction with the ledger begins. */
  storing(): void;
  /** Its transaction ended (`error` when it failed). */
  stored(error?: unknown): void;
  /** It was acknowledged: the upload span ends. */
  acked(): void;
  /** It was refused or given up: the spans still open end with the error. */
  failed(error: unknown): void;
}

/** A batch as anchoring names it. */
export interface TracedBatchId {
  gatewayId: string;
  sequence: number;
}

export interface UploadTracing {
  /**
   * A batch arrived. Its trace continues the gateway's when the upload stream's metadata
   * carried a W3C `traceparent` (and `tracestate`), else it starts at the relay.
   */
  batchArrived(batch: {
    gatewayId: string;
    sequence: number;
    readingCount: number;
    requestId: string;
    carrier: Readonly<Record<string, string>>;
  }): BatchTrace;
  /** An anchor was created over these batches: an anchor span starts under each batch's upload span this replica traced. */
  anchorCreated(anchorId: number, batches: readonly TracedBatchId[], term: number): void;
  /** The anchor was confirmed on chain: its spans end. */
  anchorConfirmed(anchorId: number, confirmed: { txHash: string; blockNumber: number }): void;
  /** Exports what is left and stops. */
  shutdown(): Promise<void>;
}

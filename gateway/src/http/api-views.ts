// What the gateway's HTTP API answers to the screens that show it (the desktop console): types
// only, importing nothing, so a browser bundle takes them without any of the gateway's code.
// The gateway's own types narrow the strings here to its enumerations.

/**
 * How far a batch got on its way to the chain: sealed (signed and chained here), proved (its
 * zero-knowledge proof made), acknowledged (the relay stored it), anchored (in an anchor the
 * relay confirmed on chain).
 */
export type BatchStage = "sealed" | "proved" | "acknowledged" | "anchored";

/** The transaction of an anchor the relay confirmed on chain. */
export interface AnchorView {
  transactionHash: string;
  blockNumber: number;
  confirmedAtMs: number;
}

/** A batch as GET /api/batches lists it. */
export interface BatchView {
  sequence: number;
  dataClass: number;
  readingCount: number;
  firstGatewaySeq: number;
  lastGatewaySeq: number;
  sealedAtMs: number;
  /** The outbox's state of the batch. */
  state: string;
  stage: BatchStage;
  ackedAtMs?: number;
  proof: { present: boolean; provedAtMs?: number; uploadedAtMs?: number; valid?: boolean };
  /** The anchor's transaction, when the relay named it for this batch (its newest anchored one). */
  anchor?: AnchorView;
}

/** One link of a receipt's chain of evidence, as the gateway checked it. */
export interface ReceiptLinkView {
  link: string;
  description: string;
  result: "ok" | "failed" | "not_checked";
  /** Why it failed, or why it was not checked. */
  detail?: string;
}

/** The gateway's check of a receipt against the chain. */
export interface ReceiptCheckView {
  /** verified: every link holds; not_proven: every link but the batch's proof, which the receipt lacks; failed: a link does not hold. */
  verdict: "verified" | "not_proven" | "failed";
  rpcUrl: string;
  links: ReceiptLinkView[];
  failure?: string;
  /** When every link the receipt carries holds. */
  anchor?: { transactionHash: string; blockNumber: number; confirmations: number; anchorer: string; anchoredAtSec: number };
}

// What the gateway's HTTP API answers to the screens that show it (the desktop console): the
// schemas its routes document, and their types. This module imports only zod, so a browser
// bundle takes the types without any of the gateway's code. The gateway's own types narrow
// the strings here to its enumerations.
import { z } from "zod";

/** The transaction of an anchor the relay confirmed on chain. */
export const anchorView = z.object({ transactionHash: z.string(), blockNumber: z.number(), confirmedAtMs: z.number() });

/**
 * A batch as GET /api/batches lists it. Its stage: sealed (signed and chained here), proved
 * (its zero-knowledge proof made), acknowledged (the relay stored it), anchored (in an anchor
 * the relay confirmed on chain). Its state is the outbox's.
 */
export const batchView = z.object({
  sequence: z.number(),
  dataClass: z.number(),
  readingCount: z.number(),
  firstGatewaySeq: z.number(),
  lastGatewaySeq: z.number(),
  sealedAtMs: z.number(),
  state: z.string(),
  stage: z.enum(["sealed", "proved", "acknowledged", "anchored"]),
  ackedAtMs: z.number().optional(),
  proof: z.object({
    present: z.boolean(),
    provedAtMs: z.number().optional(),
    uploadedAtMs: z.number().optional(),
    valid: z.boolean().optional(),
  }),
  /** The anchor's transaction, when the relay named it for this batch (its newest anchored one). */
  anchor: anchorView.optional(),
});

/** One link of a receipt's chain of evidence, as the gateway checked it. */
export const receiptLinkView = z.object({
  link: z.string(),
  description: z.string(),
  result: z.enum(["ok", "failed", "not_checked"]),
  /** Why it failed, or why it was not checked. */
  detail: z.string().optional(),
});

/**
 * The gateway's check of a receipt against the chain. verified: every link holds; not_proven:
 * every link but the batch's proof, which the receipt lacks; failed: a link does not hold.
 * anchor is there when every link the receipt carries holds.
 */
export const receiptCheckView = z.object({
  verdict: z.enum(["verified", "not_proven", "failed"]),
  rpcUrl: z.string(),
  links: z.array(receiptLinkView),
  failure: z.string().optional(),
  anchor: z
    .object({
      transactionHash: z.string(),
      blockNumber: z.number(),
      confirmations: z.number(),
      anchorer: z.string(),
      anchoredAtSec: z.number(),
    })
    .optional(),
});

export type AnchorView = z.infer<typeof anchorView>;
export type BatchView = z.infer<typeof batchView>;
export type ReceiptLinkView = z.infer<typeof receiptLinkView>;
export type ReceiptCheckView = z.infer<typeof receiptCheckView>;

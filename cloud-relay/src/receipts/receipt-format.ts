import { z } from "zod";

const hex = z.string().regex(/^0x[0-9a-f]*$/i, "must be 0x-prefixed hex");
const hex32 = z.string().regex(/^0x[0-9a-f]{64}$/i, "must be 32 bytes of 0x-prefixed hex");
const decimal = z.string().regex(/^\d+$/, "must be a decimal integer");
const int = z.number().int();
/** A uint64 beyond 2^53 is not exact as a JSON number: in decimal (receipts made before took a number). */
const uint64 = z.union([decimal, z.number().int().nonnegative().transform(String)]);

/**
 * A receipt: everything needed to show, against the chain alone, that a reading was
 * anchored. The reading leads to its batch's root (the batch commitment), the batch's root
 * to the anchored root (a Poseidon Merkle path), and the anchored root to a transaction
 * of the anchor contract. Field elements are decimal strings, bytes 0x-hex.
 */
export const receiptSchema = z.object({
  version: z.literal(1),
  reading: z.object({
    gatewaySeq: int,
    deviceId: z.string(),
    frameCounter: uint64,
    channel: int,
    channelIndex: int,
    sampledAtMs: int,
    receivedAtMs: int,
    value: int,
    scale: int,
    timeUncertain: z.boolean(),
    receivedBoot: int,
    receivedUptimeMs: int,
    /** The gateway's anomaly flag, committed in the batch's claims (absent in receipts of unflagged readings made before it existed). */
    anomalous: z.boolean().default(false),
  }),
  batch: z.object({
    gatewayId: z.string(),
    sequence: int,
    previousBatchHash: hex32,
    readingsRoot: hex32,
    dataClass: int,
    readingCount: int,
    firstGatewaySeq: int,
    lastGatewaySeq: int,
    sealedAtMs: int,
    /** The gateway's signature of the batch header. */
    signature: hex,
  }),
  inclusion: z.object({
    index: int,
    words: z.array(decimal),
    streams: z.array(z.object({ deviceId: z.string(), channel: int, channelIndex: int, scale: int, min: int, max: int })),
    streamIndex: int,
    codeOffset: int,
    detailsPath: z.array(hex32),
    header: z.object({
      detailsRoot: decimal,
      streamsHash: decimal,
      gatewayId: decimal,
      windowStartSec: int,
      windowEndSec: int,
      readingCount: int,
      anomalyCount: int,
    }),
  }),
  /**
   * Whether the receipt carries its batch's proof: "attached"; "pending" while the gateway's
   * proof has not reached the relay (ask again later); "invalid" when the proof the gateway
   * sent did not verify. Informative only (it is not signed): a verifier goes by the proof
   * itself. Absent in receipts made before it existed.
   */
  proofStatus: z.enum(["attached", "pending", "invalid"]).optional(),
  /** The batch's zero-knowledge proof of its claims, when the gateway sent one that verified. */
  proof: z
    .object({
      /** snarkjs Groth16 proof JSON. */
      groth16: z.string(),
      publicSignals: z.array(decimal),
    })
    .optional(),
  anchor: z.object({
    root: hex32,
    leafIndex: int,
    siblings: z.array(hex32),
    transactionHash: hex32,
    blockNumber: int,
    contract: z.string(),
    chainId: int,
  }),
});

export type Receipt = z.infer<typeof receiptSchema>;

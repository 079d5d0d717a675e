import { z } from "zod";

const hex = z.string().regex(/^0x[0-9a-fA-F]*$/, "must be 0x-prefixed hex");
const hex32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/, "must be 32 bytes of 0x-prefixed hex");
const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "must be a 20-byte 0x-prefixed address");
const decimal = z.string().regex(/^\d+$/, "must be a decimal integer");
const int = z.number().int();
const count = z.number().int().nonnegative();
/** A uint64 beyond 2^53 is not exact as a JSON number: in decimal (receipts made before took a number). */
const uint64 = z.union([decimal, z.number().int().nonnegative().transform(String)]);
const described = <T extends z.ZodType>(schema: T, description: string) => schema.meta({ description });

/**
 * A receipt: everything needed to show, against the chain alone, that a reading was
 * anchored. The reading leads to its batch's root (the batch commitment), the batch's root
 * to the anchored root (a Poseidon Merkle path), and the anchored root to a transaction
 * of the anchor contract. Field elements are decimal strings, bytes 0x-hex.
 * docs/wire-formats.md ("Receipt") says how each field is checked; docs/receipt.schema.json
 * is this schema as JSON Schema (npm run generate -w verify).
 */
const stream = z.object({ deviceId: z.string(), channel: count, channelIndex: count, scale: count, min: int, max: int });
const hex16 = z.string().regex(/^0x[0-9a-fA-F]{32}$/, "must be 16 bytes of 0x-prefixed hex");

export const receiptSchema = z.object({
  version: described(
    z.union([z.literal(1), z.literal(2)]),
    "2: the reading's claims are shown by a disclosure proof; 1: receipts made before, with the batch's claims words",
  ),
  reading: described(
    z.object({
      gatewaySeq: described(count, "the reading's gateway sequence number: the <sequence> of its receipt's URL"),
      deviceId: described(z.string(), "1 to 31 characters of A-Z a-z 0-9 . _ -"),
      frameCounter: described(uint64, "the device's frame counter (uint64, as a decimal string)"),
      channel: described(count, "the sensor channel (Channel enum of the wire format)"),
      channelIndex: described(count, "which sensor of that channel on the device"),
      sampledAtMs: described(int, "the device's sample time, Unix milliseconds"),
      receivedAtMs: described(int, "when the gateway received it, Unix milliseconds"),
      value: described(int, "fixed point: the physical value is value × 10^-scale"),
      scale: described(count, "decimal places of value"),
      timeUncertain: described(z.boolean(), "the gateway's or the device's clock was not trusted"),
      receivedBoot: described(count, "the gateway's boot counter when it received the reading"),
      receivedUptimeMs: described(count, "the gateway's uptime when it received the reading"),
      /** Absent in receipts of unflagged readings made before it existed. */
      anomalous: described(z.boolean().default(false), "the gateway's anomaly flag, committed in the batch's claims"),
    }),
    "the reading, as its batch committed to it",
  ),
  batch: described(
    z.object({
      gatewayId: described(address, "the gateway's address: the batch signer"),
      sequence: count,
      previousBatchHash: hex32,
      readingsRoot: described(hex32, "the batch commitment's root (a BN254 field element, 32 bytes big-endian)"),
      dataClass: count,
      readingCount: count,
      firstGatewaySeq: count,
      lastGatewaySeq: count,
      sealedAtMs: int,
      signature: described(hex, "the gateway's EIP-712 signature of the batch header: r || s || v, 65 bytes"),
    }),
    "the signed batch header",
  ),
  inclusion: described(
    z.object({
      index: described(count, "the reading's position in its batch (its header slot)"),
      claimsRoot: described(decimal.optional(), "version 2: the Poseidon root of the batch's claims words"),
      disclosure: described(
        z
          .object({
            groth16: described(z.string(), "the snarkjs Groth16 proof as JSON text"),
            publicSignals: described(z.array(decimal), "claimsRoot, index, header, codeOffset, width, code"),
          })
          .optional(),
        "version 2: the proof that the reading's header and codes are in the claims words under claimsRoot",
      ),
      words: described(z.array(decimal).optional(), "version 1: the batch's 24 claims words"),
      stream: described(stream.optional(), "version 2: the reading's stream, with its inclusive bounds"),
      streamSalt: described(hex16.optional(), "layout 2: the salt of the reading's stream's leaf in the stream tree"),
      streamPath: described(
        z.array(hex32).optional(),
        "layout 2: SHA-256 siblings from the stream's leaf up to the stream tree's root, the streams hash",
      ),
      streams: described(
        z.array(stream).optional(),
        "layout 1: the batch's stream table in order of first appearance, with each stream's inclusive bounds",
      ),
      streamIndex: described(count, "the reading's stream's index in the stream table"),
      codeOffset: described(count, "the code bit at which the reading's codes start"),
      salt: described(hex16.optional(), "layout 2: the reading's details salt, the last 16 bytes of its details leaf"),
      detailsPath: described(z.array(hex32), "SHA-256 siblings from the reading's details leaf up to the details root"),
      header: described(
        z.object({
          detailsRoot: decimal,
          streamsHash: decimal,
          gatewayId: described(decimal, "the gateway's address as an integer"),
          windowStartSec: int,
          windowEndSec: int,
          readingCount: count,
          anomalyCount: count,
        }),
        "the other inputs of the batch root",
      ),
    }),
    "what leads from the reading to its batch's readingsRoot",
  ),
  proofStatus: described(
    z.enum(["attached", "pending", "invalid"]).optional(),
    "whether the receipt carries its batch's proof: attached; pending while the gateway's proof has not reached the relay " +
      "(ask again later); invalid when the gateway's proof did not verify. Informative only, not signed: a verifier goes " +
      "by the proof itself. Absent in receipts made before it existed.",
  ),
  proof: described(
    z
      .object({
        groth16: described(z.string(), "the snarkjs Groth16 proof as JSON text"),
        publicSignals: described(
          z.array(decimal),
          "batchRoot, gatewayId, windowStartSec, windowEndSec, readingCount, anomalyCount, streamsHash",
        ),
      })
      .optional(),
    "the batch's zero-knowledge proof of its claims, when the gateway sent one that verified",
  ),
  anchor: described(
    z.object({
      root: described(hex32, "the anchored root"),
      leafIndex: described(count, "the batch's position among the anchor's batches"),
      siblings: described(z.array(hex32), "Poseidon siblings from the batch's readingsRoot up to the anchored root"),
      transactionHash: hex32,
      blockNumber: count,
      contract: described(address, "the DataAnchor contract (its proxy)"),
      chainId: count,
    }),
    "where the batch's root was anchored",
  ),
});

export type Receipt = z.infer<typeof receiptSchema>;

import {
  CircuitsError,
  claimsRootOf,
  disclosureSignals,
  verifyDisclosureProof,
  verifyReadingInclusion,
  type Groth16Proof,
  type Groth16VerificationKey,
  type PoseidonHasher,
  type ReadingInclusion,
} from "@intelledger/circuits/verify";
import { getBytes } from "ethers";
import { ReceiptVerificationError } from "./errors.js";
import type { Receipt } from "./receipt-format.js";

const notInBatch = (message: string, cause?: unknown): never => {
  throw new ReceiptVerificationError(
    "reading_not_in_batch",
    `the reading is not in its batch: ${message}`,
    cause === undefined ? undefined : { cause },
  );
};

const bytes = (hex: string | undefined) => (hex === undefined ? undefined : getBytes(hex));

/**
 * The receipt's inclusion as the commitment's: a version 2 receipt names its claims root and its
 * stream, a version 1 receipt carries the claims words and the stream table they follow from.
 */
function inclusionOf(hasher: PoseidonHasher, receipt: Receipt): ReadingInclusion {
  const { inclusion, version } = receipt;
  const words = inclusion.words?.map(BigInt);
  const claimsRoot =
    version === 2
      ? inclusion.claimsRoot
      : words?.length === 24
        ? claimsRootOf(hasher, words).toString()
        : notInBatch("a version 1 receipt carries the batch's 24 claims words");
  const stream =
    (version === 2 ? inclusion.stream : inclusion.streams?.[inclusion.streamIndex]) ??
    notInBatch("the receipt names no stream for the reading");
  return {
    index: inclusion.index,
    claimsRoot: BigInt(claimsRoot ?? notInBatch("a version 2 receipt names its batch's claims root")),
    words: version === 1 ? words : undefined,
    stream,
    streamIndex: inclusion.streamIndex,
    streams: inclusion.streams,
    streamSalt: bytes(inclusion.streamSalt),
    streamPath: inclusion.streamPath?.map((node) => getBytes(node)),
    codeOffset: inclusion.codeOffset,
    salt: bytes(inclusion.salt),
    detailsPath: inclusion.detailsPath.map((node) => getBytes(node)),
    header: {
      ...inclusion.header,
      detailsRoot: BigInt(inclusion.header.detailsRoot),
      streamsHash: BigInt(inclusion.header.streamsHash),
      gatewayId: BigInt(inclusion.header.gatewayId),
    },
  };
}

/**
 * The reading is in the batch whose root is `batchRoot`: its stream, details and the batch
 * header lead to the root, and its header bits and codes are in the batch's claims words, which
 * a version 2 receipt shows by its disclosure proof (verified under `disclosureKey`) and a
 * version 1 receipt by the words themselves. Throws a ReceiptVerificationError otherwise.
 */
export async function checkReadingInBatch(
  hasher: PoseidonHasher,
  receipt: Receipt,
  batchRoot: bigint,
  disclosureKey: Groth16VerificationKey,
): Promise<void> {
  let expected: string[] = [];
  try {
    const reading = { ...receipt.reading, frameCounter: BigInt(receipt.reading.frameCounter) };
    expected = disclosureSignals(verifyReadingInclusion(hasher, reading, inclusionOf(hasher, receipt), batchRoot));
  } catch (cause) {
    if (cause instanceof ReceiptVerificationError) throw cause;
    notInBatch(cause instanceof CircuitsError ? cause.message : String(cause), cause);
  }
  if (receipt.version === 1) return;
  const { disclosure } = receipt.inclusion;
  if (disclosure === undefined) return notInBatch("a version 2 receipt carries its reading's disclosure proof");
  if (disclosure.publicSignals.join() !== expected.join()) {
    notInBatch("the disclosure proof is about another reading, slot, value, flag or claims root");
  }
  let proof: Groth16Proof | undefined;
  try {
    proof = JSON.parse(disclosure.groth16) as Groth16Proof;
  } catch (cause) {
    notInBatch("the disclosure proof is not JSON", cause);
  }
  if (!proof || !(await verifyDisclosureProof(disclosureKey, proof, disclosure.publicSignals))) {
    notInBatch("the disclosure proof does not verify");
  }
}

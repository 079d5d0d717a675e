// Everything the package offers in Node: what a verifier needs (./verify.ts, which also loads in
// a browser) and committing to batches, their artifacts and proving.
export * from "./verify.js";
export {
  ARTIFACT_FILES,
  artifactFiles,
  artifactsDir,
  loadBatchArtifacts,
  loadCircuitArtifacts,
  loadVerificationKey,
  readManifest,
} from "./artifacts.js";
export type { ArtifactManifest, BatchArtifacts, CircuitArtifacts, CircuitName } from "./artifacts.js";
export { BatchCommitment, batchablePrefix, batchRootOf } from "./batch-commitment.js";
export type { BatchCommitmentInput } from "./batch-commitment.js";
export {
  BATCH_CAPACITY,
  CODE_BITS,
  CODE_WORD_BITS,
  CODE_WORDS,
  HEADER_WORDS,
  HEADERS_PER_WORD,
  MAX_BOUNDS_SPAN,
  MAX_CODE_WIDTH,
  MAX_WINDOW_SPAN_SEC,
  receiveSecond,
  TIME_BITS,
  WORDS_PER_BATCH,
} from "./batch-layout.js";
export type { PublicSignalName } from "./batch-layout.js";
export { proveBatch } from "./batch-prover.js";
export type { BatchProof } from "./batch-prover.js";
export { batchCircuitInput, batchPublicSignals } from "./circuit-input.js";
export type { BatchCircuitInput } from "./circuit-input.js";
export { SNARK_FIELD_MODULUS } from "./field.js";
export { PoseidonMerkleTree } from "./merkle-tree.js";
export { BatchProverPool } from "./prover-pool.js";
export type { BatchProverPoolOptions } from "./prover-pool.js";
export type { ProverIsolation } from "./prover-host.js";
export { decodeRange, encodeRange, rangeCodeWidth, rangeWeights } from "./range-code.js";
export { detailsLeaf, deviceIdToField, isValidDeviceId } from "./reading-commitment.js";
export { claimsInWords, disclosureCircuitInput, proveDisclosure } from "./reading-disclosure.js";
export type { DisclosureCircuitInput } from "./reading-disclosure.js";
export { CommitmentSalts, DETAILS_SALT_BYTES, SALT_SEED_BYTES } from "./commitment-salts.js";
export {
  boundedStreams,
  isUnbounded,
  listedBounds,
  streamKeyString,
  streamLeaf,
  streamsHash,
  unboundedStreams,
} from "./stream-table.js";
export type { BoundsResolver, StreamBounds, StreamKey } from "./stream-table.js";

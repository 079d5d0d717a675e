// Everything the package offers in Node: what a verifier needs (./verify.ts, which also loads in
// a browser) and committing to batches, their artifacts and proving. A module whose every export
// is public is re-exported whole.
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
export * from "./batch-layout.js";
export { proveBatch } from "./batch-prover.js";
export type { BatchProof } from "./batch-prover.js";
export * from "./circuit-input.js";
export * from "./field.js";
export * from "./merkle-tree.js";
export * from "./prover-pool.js";
export type { ProverIsolation } from "./prover-host.js";
export { decodeRange, encodeRange, rangeCodeWidth, rangeWeights } from "./range-code.js";
export { detailsLeaf, deviceIdToField, isValidDeviceId } from "./reading-commitment.js";
export * from "./reading-disclosure.js";
export * from "./commitment-salts.js";
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

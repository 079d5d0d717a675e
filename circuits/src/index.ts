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
export { BatchCommitment, batchablePrefix, batchRootOf, claimsRootOf } from "./batch-commitment.js";
export type { BatchCommitmentInput, BatchHeader, ReadingInclusion } from "./batch-commitment.js";
export {
  BATCH_CAPACITY,
  CODE_BITS,
  CODE_WORD_BITS,
  CODE_WORDS,
  DISCLOSURE_PUBLIC_SIGNALS,
  HEADER_WORDS,
  HEADERS_PER_WORD,
  MAX_BOUNDS_SPAN,
  MAX_CODE_WIDTH,
  MAX_WINDOW_SPAN_SEC,
  PUBLIC_SIGNALS,
  receiveSecond,
  TIME_BITS,
  WORDS_PER_BATCH,
} from "./batch-layout.js";
export type { PublicSignalName } from "./batch-layout.js";
export { proveBatch, releaseSnarkThreads, verifyBatchProof } from "./batch-prover.js";
export type { BatchProof, Groth16Proof } from "./batch-prover.js";
export type { Groth16VerificationKey } from "./artifacts.js";
export { batchCircuitInput, batchClaims, batchPublicSignals } from "./circuit-input.js";
export type { BatchCircuitInput, BatchClaims } from "./circuit-input.js";
export { CircuitsError } from "./errors.js";
export { SNARK_FIELD_MODULUS, bytes32ToField, fieldToBytes32 } from "./field.js";
export { PoseidonMerkleTree, rootFromPath } from "./merkle-tree.js";
export type { MerklePath } from "./merkle-tree.js";
export { loadPoseidon } from "./poseidon-hasher.js";
export type { PoseidonHasher } from "./poseidon-hasher.js";
export { BatchProverPool } from "./prover-pool.js";
export type { BatchProverPoolOptions } from "./prover-pool.js";
export type { ProverIsolation } from "./prover-host.js";
export { decodeRange, encodeRange, rangeCodeWidth, rangeWeights } from "./range-code.js";
export { detailsLeaf, deviceIdToField, isValidDeviceId } from "./reading-commitment.js";
export type { CommittedReading } from "./reading-commitment.js";
export { disclosureSignals, verifyReadingInclusion } from "./reading-inclusion.js";
export type { DisclosedClaims } from "./reading-inclusion.js";
export { claimsInWords, disclosureCircuitInput, proveDisclosure, verifyDisclosureProof } from "./reading-disclosure.js";
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

// What a verifier of receipts and batch proofs needs, and nothing that needs Node: this entry
// loads in a browser bundle (the package's "imports" map its hashing to the browser's).
export type { Groth16VerificationKey } from "./artifacts.js";
export type { BatchHeader, ReadingInclusion } from "./batch-commitment.js";
export { claimsRootOf } from "./batch-commitment.js";
export { DISCLOSURE_PUBLIC_SIGNALS, PUBLIC_SIGNALS } from "./batch-layout.js";
export { releaseSnarkThreads, verifyBatchProof, verifyDisclosureProof } from "./batch-verifier.js";
export type { Groth16Proof } from "./batch-verifier.js";
export { batchClaims } from "./circuit-input.js";
export type { BatchClaims } from "./circuit-input.js";
export { CircuitsError } from "./errors.js";
export { bytes32ToField, fieldToBytes32 } from "./field.js";
export { rootFromPath } from "./merkle-tree.js";
export type { MerklePath } from "./merkle-tree.js";
export { compilePoseidon, loadPoseidon } from "./poseidon-hasher.js";
export type { CompiledPoseidon, PoseidonHasher } from "./poseidon-hasher.js";
export { disclosureSignals, verifyReadingInclusion } from "./reading-inclusion.js";
export type { DisclosedClaims } from "./reading-inclusion.js";
export type { CommittedReading } from "./reading-commitment.js";

export { SNARK_FIELD_MODULUS, bytes32ToField, fieldToBytes32 } from "./field.js";
export { readingsTree } from "./batch-commitment.js";
export { PoseidonMerkleTree, rootFromPath } from "./merkle-tree.js";
export type { MerklePath } from "./merkle-tree.js";
export { loadPoseidon } from "./poseidon-hasher.js";
export type { PoseidonHasher } from "./poseidon-hasher.js";
export { deviceIdToField, isValidDeviceId, readingLeaf } from "./reading-commitment.js";
export type { CommittedReading } from "./reading-commitment.js";

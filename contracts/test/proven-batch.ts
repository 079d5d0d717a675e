// A real batch and its real proof, for the contract tests.
import {
  BatchCommitment,
  batchCircuitInput,
  loadBatchArtifacts,
  loadPoseidon,
  proveBatch,
  type BatchProof,
} from "@intelledger/circuits";

/**
 * A batch of `readingCount` readings of three devices sealed by `gateway`, the third one
 * anomalous, and its proof. Readings count up from `firstSeq`: another `firstSeq`, another root.
 */
export async function provenBatch(gateway: string, readingCount: number, firstSeq = 1): Promise<BatchProof> {
  const hasher = await loadPoseidon();
  const readings = Array.from({ length: readingCount }, (_, i) => ({
    gatewaySeq: firstSeq + i,
    deviceId: `esp32-${i % 3}`,
    frameCounter: firstSeq + i,
    channel: 1,
    channelIndex: 0,
    sampledAtMs: 1_763_000_000_000 + i,
    receivedAtMs: 1_763_000_000_500 + i * 10,
    value: 2000 + i,
    scale: 2,
    anomalous: i === 2,
  }));
  const commitment = BatchCommitment.build(hasher, { gatewayId: gateway, readings, bounds: () => ({ min: -4000, max: 8000 }) });
  return proveBatch(loadBatchArtifacts(), batchCircuitInput(commitment));
}

// Proving throughput of the batch circuit against the reference fleet, measured in one run:
//   npx tsx circuits/bench/proving-bench.ts        (BENCH_BATCHES=n proves n full batches, 6 by default)
// Prints R1CS constraints per reading, proving milliseconds per reading amortised over full
// batches (witness and Groth16 proof, in the worker pool the gateway uses), whether that keeps
// up with 200 readings/s, and how fast a relay recomputes batch roots.
import { loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import {
  BATCH_CAPACITY,
  BatchCommitment,
  BatchProverPool,
  batchCircuitInput,
  loadBatchArtifacts,
  loadPoseidon,
  releaseSnarkThreads,
  verifyBatchProof,
} from "../src/index.js";
import { SAMPLE_BOUNDS, SAMPLE_GATEWAY, sampleReadings } from "../src/sample-readings.js";

const FLEET_READINGS_PER_SECOND = 200;
const RELAY_READINGS_PER_SECOND = 20_000;
const batches = Number(process.env["BENCH_BATCHES"] ?? 6);

const loadAtStart = loadavg()[0] ?? 0;
const hasher = await loadPoseidon();
const { manifest, vkey } = loadBatchArtifacts();
const commitments = Array.from({ length: batches }, (_, i) =>
  BatchCommitment.build(hasher, {
    gatewayId: SAMPLE_GATEWAY,
    readings: sampleReadings(BATCH_CAPACITY, 1_763_000_000_000 + i * 60_000),
    bounds: () => SAMPLE_BOUNDS,
  }),
);

const pool = new BatchProverPool({ threads: 1, maxQueued: batches });
await pool.ready();
// One proof to warm the worker's curve threads and witness generator up.
await pool.prove(batchCircuitInput(commitments[0] as BatchCommitment));
const started = performance.now();
const proofs = await Promise.all(commitments.map((commitment) => pool.prove(batchCircuitInput(commitment))));
const provingMs = performance.now() - started;
await pool.close();
for (const proof of proofs) {
  if (!(await verifyBatchProof(vkey, proof.proof, proof.publicSignals))) throw new Error("a benchmark proof does not verify");
}

const readings = sampleReadings(BATCH_CAPACITY);
const rootRounds = 200;
const rootStart = performance.now();
for (let i = 0; i < rootRounds; i++) BatchCommitment.build(hasher, { gatewayId: SAMPLE_GATEWAY, readings });
const rootRate = (rootRounds * BATCH_CAPACITY) / ((performance.now() - rootStart) / 1000);
await releaseSnarkThreads();

const msPerReading = provingMs / (batches * BATCH_CAPACITY);
const provingRate = 1000 / msPerReading;
console.log(`batch circuit: ${manifest.constraints} constraints, ${BATCH_CAPACITY} readings per proof`);
console.log(`load average at start:            ${loadAtStart.toFixed(2)} (proving shares the cores with whatever else runs)`);
console.log(`constraints per reading:          ${(manifest.constraints / BATCH_CAPACITY).toFixed(1)}`);
console.log(`proving per batch:                ${(provingMs / batches).toFixed(0)} ms (${batches} full batches)`);
console.log(`proving per reading (amortised):  ${msPerReading.toFixed(2)} ms`);
console.log(
  `keeps up with ${FLEET_READINGS_PER_SECOND} readings/s:      ${provingRate >= FLEET_READINGS_PER_SECOND ? "yes" : "no"} (ratio ${(provingRate / FLEET_READINGS_PER_SECOND).toFixed(2)}: ${provingRate.toFixed(0)} readings/s proved)`,
);
console.log(
  `relay root recomputation:         ${rootRate.toFixed(0)} readings/s on one thread (ratio ${(rootRate / RELAY_READINGS_PER_SECOND).toFixed(2)} of ${RELAY_READINGS_PER_SECOND}/s)`,
);

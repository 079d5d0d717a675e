// Proving throughput of the batch circuit against the reference fleet, measured in one run:
//   npx tsx circuits/bench/proving-bench.ts        (BENCH_BATCHES=n proves n full batches per case, 4 by default)
// The reference gateway has 50 four-channel devices sampling at 1 Hz: 200 readings/s. Prints R1CS
// constraints per reading, proving milliseconds per reading amortised over full batches (witness
// and Groth16 proof, in the worker pool the gateway uses), whether that keeps up with 200
// readings/s, for streams with configured bounds and for unbounded ones, and how fast a relay
// recomputes batch roots.
import { loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import {
  BATCH_CAPACITY,
  BatchCommitment,
  BatchProverPool,
  batchablePrefix,
  batchCircuitInput,
  loadBatchArtifacts,
  loadPoseidon,
  releaseSnarkThreads,
  unboundedStreams,
  verifyBatchProof,
  type BoundsResolver,
} from "../src/index.js";
import { SAMPLE_BOUNDS, SAMPLE_GATEWAY, sampleReadings } from "../src/sample-readings.js";

const FLEET_READINGS_PER_SECOND = 200;
const FLEET_DEVICES = 50;
const RELAY_READINGS_PER_SECOND = 20_000;
const batches = Number(process.env["BENCH_BATCHES"] ?? 4);

const loadAtStart = loadavg()[0] ?? 0;
const hasher = await loadPoseidon();
const { manifest, vkey } = loadBatchArtifacts();

/** Full batches of the reference fleet's readings under `bounds`, one after the other. */
function fullBatches(bounds: BoundsResolver): BatchCommitment[] {
  return Array.from({ length: batches }, (_, i) => {
    const readings = sampleReadings(BATCH_CAPACITY, 1_763_000_000_000 + i * 60_000, FLEET_DEVICES);
    return BatchCommitment.build(hasher, {
      gatewayId: SAMPLE_GATEWAY,
      readings: readings.slice(0, batchablePrefix(readings, bounds)),
      bounds,
    });
  });
}

// As the gateway proves by default: one prover process at lower priority.
const pool = new BatchProverPool({ threads: 1, isolation: "process", maxQueued: batches });
await pool.ready();
const cases = [
  { name: `configured bounds (span ${SAMPLE_BOUNDS.max - SAMPLE_BOUNDS.min})`, commitments: fullBatches(() => SAMPLE_BOUNDS) },
  { name: "unbounded streams (int32)", commitments: fullBatches(unboundedStreams) },
];
// One proof to warm the worker's curve threads and witness generator up.
await pool.prove(batchCircuitInput(cases[0]?.commitments[0] as BatchCommitment));
const results = [];
for (const { name, commitments } of cases) {
  const started = performance.now();
  const proofs = await Promise.all(commitments.map((commitment) => pool.prove(batchCircuitInput(commitment))));
  const provingMs = performance.now() - started;
  for (const proof of proofs) {
    if (!(await verifyBatchProof(vkey, proof.proof, proof.publicSignals))) throw new Error("a benchmark proof does not verify");
  }
  const readings = commitments.reduce((sum, commitment) => sum + commitment.header.readingCount, 0);
  results.push({
    name,
    perBatch: readings / commitments.length,
    msPerBatch: provingMs / commitments.length,
    msPerReading: provingMs / readings,
  });
}
await pool.close();

const fleetReadings = sampleReadings(BATCH_CAPACITY, 1_763_000_000_000, FLEET_DEVICES);
const readings = fleetReadings.slice(
  0,
  batchablePrefix(fleetReadings, () => SAMPLE_BOUNDS),
);
const rootRounds = 100;
const rootStart = performance.now();
for (let i = 0; i < rootRounds; i++)
  BatchCommitment.build(hasher, { gatewayId: SAMPLE_GATEWAY, readings, bounds: () => SAMPLE_BOUNDS });
const rootRate = (rootRounds * readings.length) / ((performance.now() - rootStart) / 1000);
await releaseSnarkThreads();

console.log(`batch circuit: ${manifest.constraints} constraints, up to ${BATCH_CAPACITY} readings per proof`);
console.log(`load average at start: ${loadAtStart.toFixed(2)} (proving shares the cores with whatever else runs)`);
for (const { name, perBatch, msPerBatch, msPerReading } of results) {
  const rate = 1000 / msPerReading;
  console.log(`${name}:`);
  console.log(`  readings per proof:              ${perBatch.toFixed(0)}`);
  console.log(`  constraints per reading:         ${(manifest.constraints / perBatch).toFixed(1)}`);
  console.log(`  proving per batch:               ${msPerBatch.toFixed(0)} ms (${batches} full batches)`);
  console.log(`  proving per reading (amortised): ${msPerReading.toFixed(2)} ms`);
  console.log(
    `  keeps up with ${FLEET_READINGS_PER_SECOND} readings/s:     ${rate >= FLEET_READINGS_PER_SECOND ? "yes" : "no"} (ratio ${(rate / FLEET_READINGS_PER_SECOND).toFixed(2)}: ${rate.toFixed(0)} readings/s proved)`,
  );
}
console.log(
  `relay root recomputation: ${rootRate.toFixed(0)} readings/s on one thread (ratio ${(rootRate / RELAY_READINGS_PER_SECOND).toFixed(2)} of ${RELAY_READINGS_PER_SECOND}/s)`,
);

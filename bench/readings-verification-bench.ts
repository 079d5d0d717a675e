// Relay readings verification on one thread: readings per CPU second for which the relay recomputes
// a batch's root, against the 150,000 readings/s a relay thread must reach and against the plain
// computation of the same roots (one bigint grown reading by reading, a Hash object per SHA-256
// node), measured in the same run, rounds interleaved. Also the verification worker's whole task
// per batch: decode the encoded Batch, check its readings against the header, recompute the root.
// Usage: npm run bench:verify   (BENCH_ROUNDS rounds of BENCH_BATCHES batches per case, default 12 of 20)
import {
  BATCH_CAPACITY,
  BatchCommitment,
  batchablePrefix,
  boundedStreams,
  loadPoseidon,
  unboundedStreams,
  type BoundsResolver,
} from "@intelledger/circuits";
import { Batch, batchWithReadings, sealedBatchHeader, type Reading } from "@intelledger/proto/relay";
import { referenceBatchRoot } from "../circuits/test/reference-batch-root.js";
import { SAMPLE_BOUNDS, SAMPLE_GATEWAY, sampleReadings } from "../circuits/src/sample-readings.js";
import readingsVerdict from "../cloud-relay/src/verification/verification-worker.js";

const TARGET_READINGS_PER_SECOND = 150_000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 12);
const BATCHES = Number(process.env.BENCH_BATCHES ?? 20);
/** The reference gateway: 50 four-channel devices at 1 Hz. */
const FLEET_DEVICES = 50;

const hasher = await loadPoseidon();

/** The readings as a gateway sends them, and the encoded Batch that carries them. */
function wireBatch(
  fleet: ReturnType<typeof sampleReadings>,
  bounds: BoundsResolver,
): { readings: Reading[]; encoded: Uint8Array } {
  const readings: Reading[] = fleet.slice(0, batchablePrefix(fleet, bounds)).map((reading) => ({
    ...reading,
    frameCounter: BigInt(reading.frameCounter),
    timeUncertain: false,
    receivedBoot: 1,
    receivedUptimeMs: reading.receivedAtMs - 1_762_000_000_000,
    anomalous: reading.anomalous === true,
  }));
  const { streams } = BatchCommitment.build(hasher, { gatewayId: SAMPLE_GATEWAY, readings, bounds });
  const header = sealedBatchHeader(
    {
      gatewayId: SAMPLE_GATEWAY,
      sequence: 1,
      previousBatchHash: new Uint8Array(32),
      readingsRoot: new Uint8Array(32),
      sealedAtMs: 1_763_000_100_000,
      dataClass: 1,
    },
    readings,
  );
  const encoded = Batch.encode(batchWithReadings(header, readings, boundedStreams(streams))).finish();
  return { readings, encoded };
}

/**
 * Readings per CPU second of `task` over `BATCHES` batches of `readings` readings, once: CPU
 * time of this process (this thread and V8's helpers), so that whatever else the machine runs
 * does not count, as wall time would on shared cores.
 */
function rate(readings: number, task: () => unknown): number {
  const started = process.cpuUsage();
  for (let i = 0; i < BATCHES; i++) task();
  const used = process.cpuUsage(started);
  return (BATCHES * readings) / ((used.user + used.system) / 1e6);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const fmt = (n: number) => Math.round(n).toLocaleString("en-US").padStart(9);

const cases: { name: string; bounds: BoundsResolver }[] = [
  { name: `configured bounds (span ${SAMPLE_BOUNDS.max - SAMPLE_BOUNDS.min})`, bounds: () => SAMPLE_BOUNDS },
  { name: "unbounded streams (int32)", bounds: unboundedStreams },
];
console.log(
  `readings verification, one thread, readings per CPU second, ${ROUNDS} interleaved rounds of ${BATCHES} batches; target ${fmt(TARGET_READINGS_PER_SECOND).trim()} readings/s`,
);
for (const { name, bounds } of cases) {
  const { readings, encoded } = wireBatch(sampleReadings(BATCH_CAPACITY, 1_763_000_000_000, FLEET_DEVICES), bounds);
  const root = BatchCommitment.build(hasher, { gatewayId: SAMPLE_GATEWAY, readings, bounds }).root;
  if (referenceBatchRoot(hasher, SAMPLE_GATEWAY, readings, bounds) !== root) throw new Error("the two computations disagree");
  const verdict = readingsVerdict(encoded);
  if (!("root" in verdict) || BigInt(verdict.root) !== root) throw new Error(`the worker found ${JSON.stringify(verdict)}`);
  const series = { plain: [] as number[], root: [] as number[], worker: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    series.plain.push(rate(readings.length, () => referenceBatchRoot(hasher, SAMPLE_GATEWAY, readings, bounds)));
    series.root.push(rate(readings.length, () => BatchCommitment.build(hasher, { gatewayId: SAMPLE_GATEWAY, readings, bounds })));
    series.worker.push(rate(readings.length, () => readingsVerdict(encoded)));
  }
  const best = { plain: Math.max(...series.plain), root: Math.max(...series.root), worker: Math.max(...series.worker) };
  console.log(`${name}: ${readings.length} readings per batch (best of rounds, median in brackets)`);
  console.log(`  plain computation         ${fmt(best.plain)} readings/s (${fmt(median(series.plain)).trim()})`);
  console.log(
    `  batch root                ${fmt(best.root)} readings/s (${fmt(median(series.root)).trim()})  ${(best.root / best.plain).toFixed(2)} x plain, ` +
      `${(best.root / TARGET_READINGS_PER_SECOND).toFixed(2)} x target`,
  );
  console.log(
    `  worker: decode, check, root ${fmt(best.worker)} readings/s (${fmt(median(series.worker)).trim()})  ${(best.worker / TARGET_READINGS_PER_SECOND).toFixed(2)} x target`,
  );
}

// What a receipt's selective disclosure costs: the relay's disclosure proof per receipt (witness
// and Groth16 proof in a prover process, as the relay makes them), against the gateway's proof of
// the whole batch measured in the same run, and the size of a receipt's inclusion with the
// disclosure proof against the claims words and stream table it replaces. For a full batch of the
// reference fleet (50 four-channel devices, configured bounds), sealed with a salt seed.
// Usage: npm run bench:disclosure   (BENCH_RECEIPTS disclosures, 6 by default)
import { randomBytes } from "node:crypto";
import { loadavg } from "node:os";
import {
  BATCH_CAPACITY,
  BatchCommitment,
  BatchProverPool,
  batchablePrefix,
  batchCircuitInput,
  disclosureCircuitInput,
  loadPoseidon,
  readManifest,
  SALT_SEED_BYTES,
} from "@intelledger/circuits";
import { SAMPLE_BOUNDS, SAMPLE_GATEWAY, sampleReadings } from "../circuits/src/sample-readings.js";
import { inclusionJson } from "../cloud-relay/src/receipts/receipt-builder.js";

const RECEIPTS = Number(process.env["BENCH_RECEIPTS"] ?? 6);
const FLEET_DEVICES = 50;

const loadAtStart = loadavg()[0] ?? 0;
const hasher = await loadPoseidon();
const fleet = sampleReadings(BATCH_CAPACITY, 1_763_000_000_000, FLEET_DEVICES);
const bounds = () => SAMPLE_BOUNDS;
const commitment = BatchCommitment.build(hasher, {
  gatewayId: SAMPLE_GATEWAY,
  readings: fleet.slice(0, batchablePrefix(fleet, bounds)),
  bounds,
  saltSeed: randomBytes(SALT_SEED_BYTES),
});
const count = commitment.header.readingCount;

const disclosures = new BatchProverPool({ circuit: "reading-disclosure", isolation: "process", maxQueued: RECEIPTS });
const batches = new BatchProverPool({ isolation: "process" });
await Promise.all([disclosures.ready(), batches.ready()]);
// One of each to warm the provers' witness generators and curves up.
await disclosures.prove(disclosureCircuitInput(commitment.inclusion(0)));
await batches.prove(batchCircuitInput(commitment));

const picked = Array.from({ length: RECEIPTS }, (_, i) => Math.floor(((i + 1) * (count - 1)) / RECEIPTS));
const disclosureMs: number[] = [];
let sample = { proof: "", publicSignals: [] as string[] };
for (const index of picked) {
  const started = performance.now();
  const { proof, publicSignals } = await disclosures.prove(disclosureCircuitInput(commitment.inclusion(index)));
  disclosureMs.push(performance.now() - started);
  sample = { proof: JSON.stringify(proof), publicSignals };
}
const batchStarted = performance.now();
await batches.prove(batchCircuitInput(commitment));
const batchMs = performance.now() - batchStarted;
await Promise.all([disclosures.close(), batches.close()]);

const current = inclusionJson(commitment.inclusion(picked[0] ?? 0), sample);
const disclosed = Buffer.byteLength(JSON.stringify(current));
// The inclusion as receipts carried it before: the claims words and the whole stream table, no proof.
const { index, streamIndex, codeOffset, detailsPath, header } = current;
const before = {
  index,
  words: commitment.words.map(String),
  streams: commitment.streams,
  streamIndex,
  codeOffset,
  detailsPath,
  header,
};
const withWords = Buffer.byteLength(JSON.stringify(before));
const mean = disclosureMs.reduce((sum, ms) => sum + ms, 0) / disclosureMs.length;

console.log(
  `load average at start ${loadAtStart.toFixed(1)}; a full batch of ${count} readings, ${commitment.streams.length} streams`,
);
console.log(
  `disclosure proof (${readManifest(undefined, "reading-disclosure").constraints} constraints): ` +
    `${mean.toFixed(0)} ms per receipt (${Math.min(...disclosureMs).toFixed(0)} to ${Math.max(...disclosureMs).toFixed(0)}), ` +
    `${(mean / batchMs).toFixed(2)} of the batch proof's ${batchMs.toFixed(0)} ms (${readManifest().constraints} constraints)`,
);
console.log(
  `inclusion: ${disclosed} bytes of JSON with the disclosure proof and its own stream, ` +
    `${withWords} bytes with the claims words and the stream table (${(disclosed / withWords).toFixed(2)})`,
);

// Resident memory of the gateway without Node-RED, of the gateway and its Node-RED process with
// the example flows, and of those two with the gateway's prover process, under the reference
// load (67 devices × 3 channels at 1 Hz ≈ 200 readings/s). "together" counts the pages the
// processes share (the Node.js binary, among others) once; it takes root to read page frames
// (otherwise it is the sum).
// With Node-RED, the run goes on past the warm-up until the prover proved --min-proofs batches
// (at most --max-run-s), sampling all three processes while the prover proves: the bound
// applies to their peak together.
// Usage: node --import tsx gateway/bench/node-red-footprint.ts [--warm-up-s 30] [--min-proofs 5] [--max-run-s 600] [--v8-defaults]
import { parseArgs } from "node:util";
import { GATEWAY_ENV, GATEWAY_V8_FLAGS, measureGatewayFootprint } from "./footprint.js";

/** What the gateway and Node-RED together may hold at the reference load. */
const BUDGET_MB = 225;
/** What the gateway, Node-RED and the prover together may hold at the reference load, proving on. */
const WITH_PROVER_BUDGET_MB = 350;

const { values } = parseArgs({
  options: {
    "warm-up-s": { type: "string", default: "30" },
    "min-proofs": { type: "string", default: "5" },
    "max-run-s": { type: "string", default: "600" },
    "v8-defaults": { type: "boolean", default: false },
  },
});
const warmUpMs = Number(values["warm-up-s"]) * 1000;
const minProofs = Number(values["min-proofs"]);
const maxRunMs = Number(values["max-run-s"]) * 1000;

const runs = [
  ...(values["v8-defaults"]
    ? [
        { label: "gateway, V8 defaults", nodeRed: false, v8Flags: [] },
        { label: "gateway + Node-RED + examples, V8 defaults", nodeRed: true, v8Flags: [] },
      ]
    : []),
  { label: "gateway", nodeRed: false, v8Flags: GATEWAY_V8_FLAGS },
  { label: "gateway + Node-RED + examples", nodeRed: true, v8Flags: GATEWAY_V8_FLAGS },
];
const mb = (value: number) => value.toFixed(0).padStart(4);
const environment = Object.entries(GATEWAY_ENV).map(([name, value]) => `${name}=${value}`);
console.log(
  `warm-up ${warmUpMs / 1000} s at ~200 readings/s; the gateway runs with ${environment.join(" ")}, and with ` +
    `${GATEWAY_V8_FLAGS.join(" ")} unless said`,
);
for (const run of runs) {
  const footprint = await measureGatewayFootprint({
    ...run,
    devices: 67,
    frameIntervalMs: 1000,
    warmUpMs,
    ...(run.nodeRed ? { minProofs, maxRunMs, sampleMs: 500 } : {}),
  });
  const nodeRed = run.nodeRed
    ? `  Node-RED RSS ${mb(footprint.nodeRedRssMb)} MB (peak ${mb(footprint.nodeRedPeakMb)})` +
      `  together ${mb(footprint.togetherMb)} MB${footprint.togetherExact ? "" : " (sum: not root)"} of ${BUDGET_MB}`
    : "";
  console.log(
    `${run.label.padEnd(44)} gateway RSS ${mb(footprint.rssMb)} MB (peak ${mb(footprint.peakMb)})${nodeRed}` +
      `  readings ${footprint.readingsStored} (derived ${footprint.derivedStored})`,
  );
  if (run.nodeRed) {
    console.log(
      `${"  + prover (proving on)".padEnd(44)} prover RSS ${mb(footprint.proverRssMb)} MB (peak ${mb(footprint.proverPeakMb)}, ` +
        `${footprint.batchesProved} batches proved)  gateway + Node-RED + prover together at the end ${mb(footprint.withProverMb)} MB` +
        `${footprint.togetherExact ? "" : " (sum: not root)"}`,
    );
    console.log(
      `${"  peak while proving".padEnd(44)} gateway + Node-RED + prover together ${mb(footprint.withProverPeakMb)} MB of ${WITH_PROVER_BUDGET_MB}` +
        ` (ratio ${(footprint.withProverPeakMb / WITH_PROVER_BUDGET_MB).toFixed(2)}; ${footprint.provingSamples} of ${footprint.samples} samples taken while proving)`,
    );
  }
}

// Resident memory of the gateway process with and without Node-RED and the example
// flows, under the reference load (67 devices × 3 channels at 1 Hz ≈ 200 readings/s).
// Usage: node --import tsx gateway/bench/node-red-footprint.ts [--warm-up-s 30]
import { parseArgs } from "node:util";
import { GATEWAY_V8_FLAGS, measureGatewayFootprint } from "./footprint.js";

const { values } = parseArgs({ options: { "warm-up-s": { type: "string", default: "30" } } });
const warmUpMs = Number(values["warm-up-s"]) * 1000;

const runs = [
  { label: "gateway, V8 defaults", nodeRed: false, v8Flags: [] },
  { label: "gateway + Node-RED + examples, V8 defaults", nodeRed: true, v8Flags: [] },
  { label: "gateway", nodeRed: false, v8Flags: GATEWAY_V8_FLAGS },
  { label: "gateway + Node-RED + examples", nodeRed: true, v8Flags: GATEWAY_V8_FLAGS },
];
console.log(`warm-up ${warmUpMs / 1000} s at ~200 readings/s; tuned runs use ${GATEWAY_V8_FLAGS.join(" ")}`);
for (const run of runs) {
  const footprint = await measureGatewayFootprint({ ...run, devices: 67, frameIntervalMs: 1000, warmUpMs });
  console.log(
    `${run.label.padEnd(46)} RSS ${footprint.rssMb.toFixed(0).padStart(4)} MB  peak ${footprint.peakMb.toFixed(0).padStart(4)} MB` +
      `  readings ${footprint.readingsStored} (derived ${footprint.derivedStored})`,
  );
}

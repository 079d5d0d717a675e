import { describe, expect, it } from "vitest";
import { GATEWAY_V8_FLAGS, measureGatewayFootprint } from "../../bench/footprint.js";

/** The brief's bound for the gateway process. */
const GATEWAY_BUDGET_MB = 250;
/**
 * Node-RED's process alone: its runtime, editor server and core nodes hold about 100 MB here,
 * half of it pages of the Node.js binary it shares with the gateway. The bench reports the
 * two together, shared pages once (gateway/bench/node-red-footprint.ts).
 */
const NODE_RED_BUDGET_MB = 150;

describe("the gateway's footprint", () => {
  it(`keeps the gateway under ${GATEWAY_BUDGET_MB} MB and its Node-RED process with the example flows under ${NODE_RED_BUDGET_MB} MB at the reference load`, async ({
    annotate,
  }) => {
    // A child process runs the gateway (flags as deployed), which runs Node-RED in a process of
    // its own; 67 devices × 3 channels at 1 Hz feed it about 200 readings/s from this process.
    const footprint = await measureGatewayFootprint({
      nodeRed: true,
      devices: 67,
      frameIntervalMs: 1_000,
      warmUpMs: 15_000,
      v8Flags: GATEWAY_V8_FLAGS,
    });
    const figures =
      `gateway process RSS ${footprint.rssMb.toFixed(0)} MB after warm-up, peak ${footprint.peakMb.toFixed(0)} MB; ` +
      `Node-RED process ${footprint.nodeRedRssMb.toFixed(0)} MB; together ${footprint.togetherMb.toFixed(0)} MB ` +
      `(${footprint.togetherExact ? "shared pages once" : "sum of both"}); ` +
      `prover process ${footprint.proverRssMb.toFixed(0)} MB, peak ${footprint.proverPeakMb.toFixed(0)} MB (${footprint.batchesProved} batches proved); ` +
      `all three together ${footprint.withProverMb.toFixed(0)} MB`;
    await annotate(figures);
    expect(footprint.derivedStored, "the example flows wrote derived readings").toBeGreaterThan(0);
    expect(footprint.readingsStored).toBeGreaterThan(2_000);
    expect(footprint.nodeRedRssMb, "Node-RED runs in a process of its own").toBeGreaterThan(0);
    // The prover runs beside the gateway; how many batches it finishes depends on the CPU left to it.
    expect(footprint.proverRssMb, "a prover process runs beside the gateway").toBeGreaterThan(0);
    expect(footprint.rssMb, figures).toBeLessThan(GATEWAY_BUDGET_MB);
    expect(footprint.peakMb, figures).toBeLessThan(GATEWAY_BUDGET_MB);
    expect(footprint.nodeRedPeakMb, figures).toBeLessThan(NODE_RED_BUDGET_MB);
  }, 90_000);
});

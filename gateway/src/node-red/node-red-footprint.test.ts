import { describe, expect, it } from "vitest";
import { GATEWAY_V8_FLAGS, measureGatewayFootprint } from "../../bench/footprint.js";

const BUDGET_MB = 250;

describe("the gateway's footprint", () => {
  it(`stays under ${BUDGET_MB} MB resident with Node-RED and the example flows at the reference load`, async ({ annotate }) => {
    // A child process runs the gateway (flags as deployed); 67 devices × 3 channels at 1 Hz
    // feed it about 200 readings/s from this process.
    const footprint = await measureGatewayFootprint({
      nodeRed: true,
      devices: 67,
      frameIntervalMs: 1_000,
      warmUpMs: 15_000,
      v8Flags: GATEWAY_V8_FLAGS,
    });
    const figures =
      `gateway process RSS ${footprint.rssMb.toFixed(0)} MB after warm-up, peak ${footprint.peakMb.toFixed(0)} MB; ` +
      `its prover process ${footprint.proverRssMb.toFixed(0)} MB (${footprint.batchesProved} batches proved)`;
    await annotate(figures);
    expect(footprint.derivedStored, "the example flows wrote derived readings").toBeGreaterThan(0);
    expect(footprint.readingsStored).toBeGreaterThan(2_000);
    // The prover runs beside the gateway; how many batches it finishes depends on the CPU left to it.
    expect(footprint.proverRssMb, "a prover process runs beside the gateway").toBeGreaterThan(0);
    expect(footprint.rssMb, figures).toBeLessThan(BUDGET_MB);
    expect(footprint.peakMb, figures).toBeLessThan(BUDGET_MB);
  }, 90_000);
});

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { receiptSchema, verifyReceipt, type Receipt } from "@intelledger/verify";
import { Channel } from "@intelledger/proto/device";
import { Batch } from "@intelledger/proto/relay";
import { signFrame, SimulatedDevice } from "@intelledger/test-support";
import { JsonRpcProvider } from "ethers";
import { afterAll, describe, expect, it } from "vitest";
import type { DemoFleet } from "../demo/demo-fleet.js";
import { type DemoSystem } from "../demo/demo-system.js";
import { requestReceipt } from "./demo-receipts.js";
import { waitFor } from "./soak-helpers.js";
import { startTestDemoSystem } from "./test-demo-system.js";

/** Beyond 2^53: as a JavaScript number it would read 2^60. */
const COUNTER = 2n ** 60n + 1n;

describe("a frame counter beyond 2^53, from the device to a verified receipt", () => {
  let dataDir: string | undefined;
  let system: DemoSystem | undefined;

  afterAll(async () => {
    await system?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("is stored, sealed, uploaded and stored by the relay exactly, and its reading's receipt verifies", async () => {
    dataDir = mkdtempSync(join(tmpdir(), "edge-large-counter-"));
    const device = new SimulatedDevice("counter-2p60");
    const fleet: DemoFleet = {
      deviceIds: [device.deviceId],
      serialPorts: [],
      async start(gateway) {
        gateway.devices.register(device.deviceId, device.publicKeyPoint);
        // A technician moves the counter on, audited: a counter this far ahead is refused otherwise.
        gateway.devices.resetCounter(device.deviceId, COUNTER - 1n, { audit: gateway.audit, actor: "technician" });
        await device.connect(`mqtt://127.0.0.1:${gateway.mqttPort}`, gateway.devices.issueMqttCredentials(device.deviceId));
      },
      stop: () => device.stop(),
    };
    system = await startTestDemoSystem(dataDir, { fleet });
    const { gateway, relay } = system;
    const nowMs = Date.now();
    await device.publishFrame(
      signFrame(
        {
          deviceId: device.deviceId,
          counter: COUNTER,
          deviceTimeMs: nowMs,
          uptimeMs: 1_000,
          samples: [{ channel: Channel.CHANNEL_TEMPERATURE, index: 0, timestampMs: nowMs, value: 2_150, scale: 2 }],
        },
        device.keys.privateKey,
      ),
    );

    const [stored] = gateway.readings.between(1, 1);
    expect(stored?.frameCounter).toBe(COUNTER);
    await waitFor(async () => (await relay.snapshot()).anchored.readingsAnchored >= 1, 60_000, "the reading to be anchored");
    const atRelay = await relay.batches.containing(gateway.id, 1);
    expect(atRelay && Batch.decode(atRelay.payload).readings.map((reading) => reading.frameCounter)).toEqual([COUNTER]);

    const response = await requestReceipt(system, dataDir, 1);
    expect(response.status).toBe(200);
    const receipt = receiptSchema.parse(await response.json());
    expect(receipt.reading.frameCounter).toBe("1152921504606846977");
    const provider = new JsonRpcProvider(system.chain.rpcUrl);
    try {
      expect((await verifyReceipt(receipt, provider, system.receiptTrust)).gatewayId).toBe(gateway.id);
      // The counter a double would have made of it is not the one committed.
      const rounded: Receipt = { ...receipt, reading: { ...receipt.reading, frameCounter: (2n ** 60n).toString() } };
      await expect(verifyReceipt(rounded, provider, system.receiptTrust)).rejects.toMatchObject({
        failure: "reading_not_in_batch",
      });
    } finally {
      provider.destroy();
    }
    // Generous: the receipt waits for its disclosure proof, and for the relay's prover to start.
  }, 360_000);
});

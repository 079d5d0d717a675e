import { Batch } from "@intelledger/proto/relay";
import { describe, expect, it } from "vitest";
import { sampleReadings } from "../../test/sample-readings.js";
import { receivedPayload, storedPayload } from "./stored-payload.js";

describe("stored payload", () => {
  it("keeps a batch of readings in under a third of its bytes and gives it back byte for byte", () => {
    const readings = sampleReadings(1, 372);
    const encoded = Batch.encode({
      gatewayId: "0xabc",
      sequence: 7,
      previousBatchHash: new Uint8Array(32),
      readingsRoot: new Uint8Array(32).fill(9),
      sealedAtMs: 1_763_000_001_000,
      dataClass: 1,
      readingCount: readings.length,
      firstGatewaySeq: 1,
      lastGatewaySeq: 372,
      streamBounds: [],
      readings,
      saltSeed: new Uint8Array(32).fill(5),
    }).finish();
    const stored = storedPayload(encoded);
    expect(stored.deflated).toBe(1);
    expect(stored.bytes.length).toBeLessThan(encoded.length / 3);
    expect(Buffer.from(receivedPayload(stored.bytes, stored.deflated))).toEqual(Buffer.from(encoded));
  });

  it("keeps a pruned batch's empty payload empty, and reads a payload stored uncompressed as it is", () => {
    expect(storedPayload(new Uint8Array())).toEqual({ bytes: new Uint8Array(), deflated: 0 });
    expect(receivedPayload(Buffer.from([10, 3, 48, 120, 97]), 0)).toEqual(new Uint8Array([10, 3, 48, 120, 97]));
  });
});

import { describe, expect, it } from "vitest";
import { Channel, DeviceFrame, SignedFrame } from "./device.js";

describe("device frame encoding", () => {
  it("round-trips a frame with several samples", () => {
    const frame: DeviceFrame = {
      deviceId: "esp32-a1",
      counter: 41n,
      deviceTimeMs: 1_763_000_000_000,
      uptimeMs: 5_000,
      samples: [
        { channel: Channel.CHANNEL_TEMPERATURE, index: 0, timestampMs: 1_763_000_000_000, value: 2345, scale: 2 },
        { channel: Channel.CHANNEL_VIBRATION, index: 0, timestampMs: 1_763_000_000_010, value: -17, scale: 3 },
      ],
    };
    const bytes = DeviceFrame.encode(frame).finish();
    expect(DeviceFrame.decode(bytes)).toEqual(frame);
  });

  it("keeps the signed bytes exactly as produced", () => {
    const frame = DeviceFrame.encode({ deviceId: "d", counter: 1n, deviceTimeMs: 0, uptimeMs: 0, samples: [] }).finish();
    const signed = SignedFrame.decode(SignedFrame.encode({ frame, signature: new Uint8Array(64).fill(7) }).finish());
    expect(Buffer.from(signed.frame).equals(Buffer.from(frame))).toBe(true);
    expect(signed.signature).toHaveLength(64);
  });

  it("reads a counter beyond 2^53 exactly, and writes it back as it was", () => {
    // counter = 2^60 + 1 as a varint: field 2, wire type 0.
    const bytes = Uint8Array.from([0x10, 0x81, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10]);
    const frame = DeviceFrame.decode(bytes);
    expect(frame.counter).toBe(2n ** 60n + 1n);
    expect(Buffer.from(DeviceFrame.encode(frame).finish()).equals(Buffer.from(bytes))).toBe(true);
  });
});

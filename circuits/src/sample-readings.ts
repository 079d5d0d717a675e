import type { CommittedReading } from "./reading-commitment.js";

/** Bounds the sample readings stay within, for every stream. */
export const SAMPLE_BOUNDS = { min: -4000, max: 12_000 };
export const SAMPLE_GATEWAY = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

/**
 * Readings as a gateway with `devices` four-channel devices (8 by default) stores them: one frame
 * per device and second, values within SAMPLE_BOUNDS, every 13th flagged anomalous. For tests
 * and benches.
 */
export function sampleReadings(count: number, startMs = 1_763_000_000_000, devices = 8): CommittedReading[] {
  return Array.from({ length: count }, (_, i) => {
    const device = Math.floor(i / 4) % devices;
    const frame = Math.floor(i / (4 * devices));
    return {
      gatewaySeq: 1000 + i,
      deviceId: `esp32-${device}`,
      frameCounter: frame + 1,
      channel: 1 + (i % 4),
      channelIndex: 0,
      sampledAtMs: startMs + frame * 1000 - 15,
      receivedAtMs: startMs + frame * 1000 + device * 3,
      value: -2000 + ((i * 379) % 13_000),
      scale: 2,
      anomalous: i % 13 === 5,
    };
  });
}

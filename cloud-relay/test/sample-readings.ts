import type { Batch } from "@intelledger/proto/relay";

/** Readings of one device with gateway sequences first..last, as a batch carries them. */
export function sampleReadings(first: number, last: number): Batch["readings"] {
  return Array.from({ length: last - first + 1 }, (_, index) => ({
    gatewaySeq: first + index,
    deviceId: "esp32-01",
    frameCounter: BigInt(first + index),
    channel: 1,
    channelIndex: 0,
    sampledAtMs: 1_763_000_000_000 + index,
    receivedAtMs: 1_763_000_000_000 + index,
    value: 2_000,
    scale: 2,
    timeUncertain: false,
    receivedBoot: 1,
    receivedUptimeMs: index,
    anomalous: false,
  }));
}

import type { ReadingRollup } from "@intelledger/proto/relay";
import type { StoredReading } from "./reading-store.js";

/** Per device channel summaries of a batch's readings, kept when the readings themselves must go: what was removed, and its range. */
export function rollUp(readings: readonly StoredReading[]): ReadingRollup[] {
  const groups = new Map<string, ReadingRollup>();
  for (const reading of readings) {
    const key = `${reading.deviceId}\u0000${reading.channel}\u0000${reading.channelIndex}\u0000${reading.scale}`;
    const group = groups.get(key);
    if (!group) {
      groups.set(key, {
        deviceId: reading.deviceId,
        channel: reading.channel,
        channelIndex: reading.channelIndex,
        scale: reading.scale,
        count: 1,
        min: reading.value,
        max: reading.value,
        sum: reading.value,
        firstSampledAtMs: reading.sampledAtMs,
        lastSampledAtMs: reading.sampledAtMs,
        firstFrameCounter: reading.frameCounter,
        lastFrameCounter: reading.frameCounter,
      });
      continue;
    }
    group.count++;
    group.min = Math.min(group.min, reading.value);
    group.max = Math.max(group.max, reading.value);
    group.sum += reading.value;
    group.firstSampledAtMs = Math.min(group.firstSampledAtMs, reading.sampledAtMs);
    group.lastSampledAtMs = Math.max(group.lastSampledAtMs, reading.sampledAtMs);
    if (reading.frameCounter < group.firstFrameCounter) group.firstFrameCounter = reading.frameCounter;
    if (reading.frameCounter > group.lastFrameCounter) group.lastFrameCounter = reading.frameCounter;
  }
  return [...groups.values()];
}

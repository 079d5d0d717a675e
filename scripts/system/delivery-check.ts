import type { Reading } from "@intelledger/proto/relay";
import type { DeviceFleet } from "./device-fleet.js";

export interface DeliveryReport {
  ackedFrames: number;
  relayReadings: number;
  /** Acknowledged frames with a sample missing at the relay. */
  missing: string[];
  /** Samples the relay holds more than once. */
  duplicated: string[];
}

/**
 * Compares what the gateway acknowledged to the devices with what the relay holds:
 * every sample of every acknowledged frame must be there exactly once.
 */
export function checkDelivery(fleet: DeviceFleet, relayReadings: readonly Reading[]): DeliveryReport {
  const seen = new Map<string, number>();
  for (const reading of relayReadings) {
    const key = `${reading.deviceId}#${reading.frameCounter}/${reading.channel}.${reading.channelIndex}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  const duplicated = [...seen].filter(([, count]) => count > 1).map(([key]) => key);
  const perFrame = new Map<string, number>();
  for (const reading of relayReadings) {
    const frame = `${reading.deviceId}#${reading.frameCounter}`;
    perFrame.set(frame, (perFrame.get(frame) ?? 0) + 1);
  }
  const missing: string[] = [];
  for (const [deviceId, counters] of fleet.acked) {
    for (const counter of counters) {
      const frame = `${deviceId}#${counter}`;
      if ((perFrame.get(frame) ?? 0) < fleet.samplesPerFrame) missing.push(frame);
    }
  }
  return { ackedFrames: fleet.ackedFrameCount(), relayReadings: relayReadings.length, missing, duplicated };
}

import { Channel, type Sample } from "@intelledger/proto/device";

export const MAX_SAMPLES_PER_FRAME = 16;
const MAX_SCALE = 9;
/**
 * A sample may be older than its frame by this much: a device whose link was down sends
 * what its ring buffer kept, hours or days later. It may not be newer than its frame by
 * more than clock jitter.
 */
export const MAX_SAMPLE_AGE_MS = 30 * 86_400_000;
export const MAX_SAMPLE_LEAD_MS = 60_000;

/** What each channel can physically read, in its unit: beyond that a sensor or its driver is broken. */
const PLAUSIBLE_RANGE: Record<number, { min: number; max: number; unit: string }> = {
  [Channel.CHANNEL_TEMPERATURE]: { min: -60, max: 150, unit: "°C" },
  [Channel.CHANNEL_HUMIDITY]: { min: 0, max: 100, unit: "%RH" },
  [Channel.CHANNEL_VIBRATION]: { min: 0, max: 200, unit: "m/s² RMS" },
  [Channel.CHANNEL_ANALOG]: { min: -100_000, max: 100_000, unit: "mV" },
};

/** Why a frame's samples are unacceptable, or undefined when they are fine. */
export function sampleProblem(samples: readonly Sample[], deviceTimeMs: number): string | undefined {
  if (samples.length > MAX_SAMPLES_PER_FRAME)
    return `frame has ${samples.length} samples, at most ${MAX_SAMPLES_PER_FRAME} allowed`;
  for (const [index, sample] of samples.entries()) {
    const range = PLAUSIBLE_RANGE[sample.channel];
    if (!range) return `sample ${index} has unknown channel ${sample.channel}`;
    if (sample.scale > MAX_SCALE) return `sample ${index} has scale ${sample.scale}, at most ${MAX_SCALE} allowed`;
    const value = sample.value / 10 ** sample.scale;
    if (value < range.min || value > range.max) {
      return `sample ${index} reads ${value} ${range.unit}, outside ${range.min}..${range.max}`;
    }
    if (deviceTimeMs > 0 && sample.timestampMs > deviceTimeMs + MAX_SAMPLE_LEAD_MS) {
      return `sample ${index} is stamped ${sample.timestampMs}, after its frame's ${deviceTimeMs}`;
    }
    if (deviceTimeMs > 0 && sample.timestampMs < deviceTimeMs - MAX_SAMPLE_AGE_MS) {
      return `sample ${index} is stamped ${sample.timestampMs}, more than 30 days before its frame`;
    }
  }
  return undefined;
}

import type { StreamKey } from "@intelledger/circuits";
import { z } from "zod";
import type { GatewayConfig } from "../config.js";
import { channelName, type ChannelName, type ThresholdOverrides } from "../inference/thresholds.js";

const CHANNELS = ["temperature", "humidity", "vibration", "analog"] as const satisfies readonly ChannelName[];
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

const streamBoundsSchema = z
  .strictObject({
    channel: z.enum(CHANNELS),
    /** Which sensor of the channel (its channel index); every one of the channel when omitted. */
    index: z.number().int().min(0).max(255).optional(),
    /** Inclusive, in the channel's unit (°C, %RH, m/s² RMS, mV). */
    min: z.number().finite(),
    max: z.number().finite(),
  })
  .refine((bounds) => bounds.min <= bounds.max, { path: ["max"], message: "must not be below min" });

const thresholdSchema = z.number().positive();

/**
 * What a technician sets for one device: the bounds its streams are committed with (and
 * which a batch proof proves its values lie within), the data class of each of its
 * channels, and its anomaly thresholds.
 */
export const deviceSettingsSchema = z.strictObject({
  streamBounds: z
    .array(streamBoundsSchema)
    .max(64)
    .default([])
    .superRefine((entries, context) => {
      const seen = new Set<string>();
      entries.forEach((entry, i) => {
        const key = `${entry.channel}/${entry.index ?? "*"}`;
        if (seen.has(key)) {
          context.addIssue({
            code: "custom",
            path: [i],
            message: `${entry.channel}${entry.index === undefined ? "" : ` index ${entry.index}`} is bounded twice`,
          });
        }
        seen.add(key);
      });
    }),
  /** Overrides `storage.dataClasses` for this device's channels. */
  dataClasses: z.partialRecord(z.enum(CHANNELS), z.number().int().min(0).max(15)).default({}),
  /** Override `inference.thresholds.devices.<id>`: all channels (`default`), or one channel. */
  thresholds: z
    .strictObject({
      default: thresholdSchema.optional(),
      channels: z.partialRecord(z.enum(CHANNELS), thresholdSchema).default({}),
    })
    .prefault({}),
});

export type DeviceSettings = z.output<typeof deviceSettingsSchema>;
export type DeviceSettingsInput = z.input<typeof deviceSettingsSchema>;

export const DEFAULT_DEVICE_SETTINGS: DeviceSettings = deviceSettingsSchema.parse({});

/** A physical bound in units of a stream's scale, rounding inwards, within int32. */
function scaled(value: number, scale: number, round: (x: number) => number): number {
  // toPrecision drops the binary noise of the multiplication (20.1 × 10 = 201.00000000000003).
  const units = round(Number((value * 10 ** scale).toPrecision(15)));
  return Math.min(INT32_MAX, Math.max(INT32_MIN, units));
}

/**
 * A device's configured bounds for one of its streams, in units of the stream's scale
 * (`min` rounded up, `max` down, so a value inside them is inside the physical bounds); an
 * entry for the stream's channel index wins over one for the whole channel. Undefined when the
 * device bounds no such stream, or when no value of that scale lies within the bounds.
 */
export function streamBoundsOf(settings: DeviceSettings, stream: StreamKey): { min: number; max: number } | undefined {
  const name = channelName(stream.channel);
  const entries = settings.streamBounds.filter((entry) => entry.channel === name);
  const entry =
    entries.find((candidate) => candidate.index === stream.channelIndex) ??
    entries.find((candidate) => candidate.index === undefined);
  if (!entry) return undefined;
  const bounds = { min: scaled(entry.min, stream.scale, Math.ceil), max: scaled(entry.max, stream.scale, Math.floor) };
  return bounds.min <= bounds.max ? bounds : undefined;
}

/**
 * The anomaly thresholds in force: the configuration's, with each device's own settings
 * over its entry in `inference.thresholds.devices`.
 */
export function thresholdsWithDevices(
  configured: GatewayConfig["inference"]["thresholds"],
  devices: readonly { deviceId: string; settings: DeviceSettings }[],
): ThresholdOverrides {
  const perDevice: NonNullable<ThresholdOverrides["devices"]> = { ...configured.devices };
  for (const { deviceId, settings } of devices) {
    const own = settings.thresholds;
    if (own.default === undefined && Object.keys(own.channels).length === 0) continue;
    const base = configured.devices[deviceId];
    perDevice[deviceId] = {
      default: own.default ?? base?.default,
      channels: { ...base?.channels, ...own.channels },
    };
  }
  return { channels: configured.channels, devices: perDevice };
}

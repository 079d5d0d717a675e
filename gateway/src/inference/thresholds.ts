import { Channel } from "@intelledger/proto/device";

export type ChannelName = "temperature" | "humidity" | "vibration" | "analog";

const CHANNEL_NAMES: Partial<Record<number, ChannelName>> = {
  [Channel.CHANNEL_TEMPERATURE]: "temperature",
  [Channel.CHANNEL_HUMIDITY]: "humidity",
  [Channel.CHANNEL_VIBRATION]: "vibration",
  [Channel.CHANNEL_ANALOG]: "analog",
};

/** A channel's name as the configuration and the API spell it. */
export function channelName(channel: number): string {
  return CHANNEL_NAMES[channel] ?? `channel-${channel}`;
}

export interface ThresholdOverrides {
  /** Per channel, for every device. */
  channels?: Partial<Record<ChannelName, number>>;
  /** Per device: all its channels (`default`), or one channel. */
  devices?: Record<string, { default?: number | undefined; channels?: Partial<Record<ChannelName, number>> | undefined }>;
}

/**
 * The configured score above which a reading is flagged, if any; otherwise its channel's own
 * threshold applies. The most specific setting wins: the device's channel, then the device,
 * then the channel.
 */
export function thresholdFor(overrides: ThresholdOverrides, deviceId: string, channel: number): number | undefined {
  const name = CHANNEL_NAMES[channel];
  const device = overrides.devices?.[deviceId];
  return (name && device?.channels?.[name]) ?? device?.default ?? (name && overrides.channels?.[name]);
}

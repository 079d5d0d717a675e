import { Channel } from "@intelledger/proto/device";
import type { GatewayConfig } from "../config.js";

/** The class of readings whose channel the configuration does not name. */
export const DEFAULT_DATA_CLASS = 1;

type ChannelClasses = GatewayConfig["storage"]["dataClasses"];

const CHANNEL_NAMES: Record<keyof ChannelClasses, Channel> = {
  temperature: Channel.CHANNEL_TEMPERATURE,
  humidity: Channel.CHANNEL_HUMIDITY,
  vibration: Channel.CHANNEL_VIBRATION,
  analog: Channel.CHANNEL_ANALOG,
};

function byChannel(configured: ChannelClasses): Map<number, number> {
  const classes = new Map<number, number>();
  for (const [name, channel] of Object.entries(CHANNEL_NAMES) as [keyof ChannelClasses, Channel][]) {
    const dataClass = configured[name];
    if (dataClass !== undefined) classes.set(channel, dataClass);
  }
  return classes;
}

/** Maps a channel to its data class, as configured for all devices or set for one device. */
export class DataClasses {
  private readonly byChannel: Map<number, number>;
  private readonly byDevice = new Map<string, Map<number, number>>();

  constructor(configured: ChannelClasses) {
    this.byChannel = byChannel(configured);
  }

  /** One device's classes, over the configured ones for its channels; an empty set removes them. */
  setDevice(deviceId: string, classes: ChannelClasses): void {
    const own = byChannel(classes);
    if (own.size === 0) this.byDevice.delete(deviceId);
    else this.byDevice.set(deviceId, own);
  }

  of(channel: number, deviceId?: string): number {
    return (
      (deviceId === undefined ? undefined : this.byDevice.get(deviceId)?.get(channel)) ??
      this.byChannel.get(channel) ??
      DEFAULT_DATA_CLASS
    );
  }

  /** Every class a reading can have, lowest first. */
  all(): number[] {
    const devices = [...this.byDevice.values()].flatMap((classes) => [...classes.values()]);
    return [...new Set([...this.byChannel.values(), ...devices, DEFAULT_DATA_CLASS])].sort((a, b) => a - b);
  }
}

import { Channel } from "@intelledger/proto/device";
import type { GatewayConfig } from "../config.js";

/** The class of readings whose channel the configuration does not name. */
export const DEFAULT_DATA_CLASS = 1;

const CHANNEL_NAMES: Record<keyof GatewayConfig["storage"]["dataClasses"], Channel> = {
  temperature: Channel.CHANNEL_TEMPERATURE,
  humidity: Channel.CHANNEL_HUMIDITY,
  vibration: Channel.CHANNEL_VIBRATION,
  analog: Channel.CHANNEL_ANALOG,
};

/** Maps a channel to its data class, as configured. */
export class DataClasses {
  private readonly byChannel = new Map<number, number>();

  constructor(configured: GatewayConfig["storage"]["dataClasses"]) {
    for (const [name, channel] of Object.entries(CHANNEL_NAMES) as [keyof typeof CHANNEL_NAMES, Channel][]) {
      this.byChannel.set(channel, configured[name] ?? DEFAULT_DATA_CLASS);
    }
  }

  of(channel: number): number {
    return this.byChannel.get(channel) ?? DEFAULT_DATA_CLASS;
  }

  /** Every class a reading can have, lowest first. */
  all(): number[] {
    return [...new Set([...this.byChannel.values(), DEFAULT_DATA_CLASS])].sort((a, b) => a - b);
  }
}

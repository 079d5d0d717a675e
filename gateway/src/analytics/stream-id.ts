import { Channel } from "@intelledger/proto/device";

/** A series: one channel index of one device (a flow's virtual device too). */
export interface StreamId {
  deviceId: string;
  channel: Channel;
  index: number;
}

const CHANNELS: Record<string, Channel> = {
  temperature: Channel.CHANNEL_TEMPERATURE,
  humidity: Channel.CHANNEL_HUMIDITY,
  vibration: Channel.CHANNEL_VIBRATION,
  analog: Channel.CHANNEL_ANALOG,
  alert: Channel.CHANNEL_ALERT,
};
const NAMES = new Map<Channel, string>(Object.entries(CHANNELS).map(([name, channel]) => [channel, name]));

export const STREAM_CHANNEL_NAMES = Object.keys(CHANNELS);

export function streamChannelName(channel: Channel): string {
  return NAMES.get(channel) ?? `channel-${channel}`;
}

/** `press-07/temperature/0`, as the API names a stream (the index may be left out for 0). */
export function formatStreamId(stream: StreamId): string {
  return `${stream.deviceId}/${streamChannelName(stream.channel)}/${stream.index}`;
}

/** The stream named by `text`, or a reason it names none. */
export function parseStreamId(text: string): StreamId | string {
  const [deviceId, channelName, indexText = "0", ...rest] = text.split("/");
  if (!deviceId || channelName === undefined || rest.length > 0) return "a stream is <deviceId>/<channel>[/<index>]";
  const channel = CHANNELS[channelName];
  if (channel === undefined) return `unknown channel ${channelName}: one of ${STREAM_CHANNEL_NAMES.join(", ")}`;
  if (!/^\d{1,9}$/.test(indexText)) return "a stream's index is a whole number";
  return { deviceId, channel, index: Number(indexText) };
}

/** A key for maps of streams. */
export function streamKey(deviceId: string, channel: number, index: number): string {
  return `${deviceId}/${channel}/${index}`;
}

import { Channel } from "@intelledger/proto/device";
import { describe, expect, it } from "vitest";
import { deviceSettingsSchema, streamBoundsOf, thresholdsWithDevices } from "./device-settings.js";

const stream = (channel: Channel, channelIndex: number, scale: number) => ({ deviceId: "oven-5", channel, channelIndex, scale });

describe("a device's stream bounds", () => {
  const settings = deviceSettingsSchema.parse({
    streamBounds: [
      { channel: "temperature", min: -20.1, max: 85.05 },
      { channel: "temperature", index: 1, min: 0, max: 10 },
      { channel: "humidity", min: 0.01, max: 0.09 },
    ],
  });

  it("are the physical bounds in units of the stream's scale, rounded inwards, free of binary noise", () => {
    expect(streamBoundsOf(settings, stream(Channel.CHANNEL_TEMPERATURE, 0, 1))).toEqual({ min: -201, max: 850 });
    expect(streamBoundsOf(settings, stream(Channel.CHANNEL_TEMPERATURE, 0, 2))).toEqual({ min: -2010, max: 8505 });
    expect(streamBoundsOf(settings, stream(Channel.CHANNEL_TEMPERATURE, 0, 0))).toEqual({ min: -20, max: 85 });
  });

  it("take the entry for the stream's index over the one for its channel, and none for a channel not bounded", () => {
    expect(streamBoundsOf(settings, stream(Channel.CHANNEL_TEMPERATURE, 1, 2))).toEqual({ min: 0, max: 1000 });
    expect(streamBoundsOf(settings, stream(Channel.CHANNEL_VIBRATION, 0, 3))).toBeUndefined();
  });

  it("are none when no value of the stream's scale lies within them", () => {
    expect(streamBoundsOf(settings, stream(Channel.CHANNEL_HUMIDITY, 0, 1))).toBeUndefined();
    expect(streamBoundsOf(settings, stream(Channel.CHANNEL_HUMIDITY, 0, 2))).toEqual({ min: 1, max: 9 });
  });

  it("stay within int32 at the largest scale", () => {
    const wide = deviceSettingsSchema.parse({ streamBounds: [{ channel: "analog", min: -100_000, max: 100_000 }] });
    expect(streamBoundsOf(wide, stream(Channel.CHANNEL_ANALOG, 0, 9))).toEqual({ min: -(2 ** 31), max: 2 ** 31 - 1 });
  });
});

describe("thresholds with devices' own", () => {
  it("put each device's settings over its configured entry, channel by channel", () => {
    const configured = {
      channels: { vibration: 3 },
      devices: { "oven-5": { default: 2, channels: { humidity: 4 } }, "mill-1": { default: 5, channels: {} } },
    };
    const merged = thresholdsWithDevices(configured, [
      { deviceId: "oven-5", settings: deviceSettingsSchema.parse({ thresholds: { channels: { temperature: 1.5 } } }) },
      { deviceId: "mill-1", settings: deviceSettingsSchema.parse({}) },
      { deviceId: "saw-2", settings: deviceSettingsSchema.parse({ thresholds: { default: 7 } }) },
    ]);
    expect(merged).toEqual({
      channels: { vibration: 3 },
      devices: {
        "oven-5": { default: 2, channels: { humidity: 4, temperature: 1.5 } },
        "mill-1": { default: 5, channels: {} },
        "saw-2": { default: 7, channels: {} },
      },
    });
  });
});

import { Channel } from "@intelledger/proto/device";
import { describe, expect, it } from "vitest";
import { thresholdFor } from "./thresholds.js";

describe("thresholdFor", () => {
  const overrides = {
    channels: { temperature: 4 },
    devices: { "esp32-01": { default: 6, channels: { vibration: 9 } }, "esp32-02": { channels: { humidity: 3 } } },
  };

  it("takes the most specific setting: device channel, device, channel; none leaves the channel's own", () => {
    expect(thresholdFor(overrides, "esp32-01", Channel.CHANNEL_VIBRATION)).toBe(9);
    expect(thresholdFor(overrides, "esp32-01", Channel.CHANNEL_TEMPERATURE)).toBe(6);
    expect(thresholdFor(overrides, "esp32-02", Channel.CHANNEL_TEMPERATURE)).toBe(4);
    expect(thresholdFor(overrides, "esp32-02", Channel.CHANNEL_HUMIDITY)).toBe(3);
    expect(thresholdFor(overrides, "esp32-03", Channel.CHANNEL_ANALOG)).toBeUndefined();
    expect(thresholdFor({}, "esp32-01", Channel.CHANNEL_ALERT)).toBeUndefined();
  });
});

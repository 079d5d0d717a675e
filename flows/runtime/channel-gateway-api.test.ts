import { describe, expect, it } from "vitest";
import type { GatewayStatus } from "../gateway-api.js";
import type { NodeRedMessage } from "../channel-messages.js";
import { reading } from "../test/fake-gateway.js";
import { ChannelGatewayApi } from "./channel-gateway-api.js";

const status: GatewayStatus = {
  gatewayId: "0xab",
  readingsStored: 1,
  framesAccepted: 1,
  framesRejected: 0,
  batchesSealed: 0,
  batchesAcked: 0,
  backlog: { batches: 0, readings: 1 },
  uplink: "not-configured",
};

function api() {
  const sent: NodeRedMessage[] = [];
  return {
    sent,
    api: new ChannelGatewayApi({ send: (message: NodeRedMessage) => sent.push(message) }, { gatewayId: "0xab", status }),
  };
}

describe("the gateway API over the channel", () => {
  it("asks for a feed while a node listens, and hands on what arrives", () => {
    const { sent, api: gateway } = api();
    const first: unknown[] = [];
    const second: unknown[] = [];
    const stopFirst = gateway.subscribeReadings((readings) => first.push(...readings));
    const stopSecond = gateway.subscribeReadings((readings) => second.push(...readings));
    expect(sent).toEqual([{ t: "subscribe", feed: "readings", on: true }]);
    expect(gateway.receive({ t: "readings", readings: [reading()] })).toBe(true);
    expect(first).toEqual([reading()]);
    expect(second).toEqual([reading()]);
    stopFirst();
    stopSecond();
    expect(sent.at(-1)).toEqual({ t: "subscribe", feed: "readings", on: false });
  });

  it("answers calls with the gateway's result or error, matched by id", async () => {
    const { sent, api: gateway } = api();
    const stored = gateway.writeDerivedReading({ source: "x", channel: "analog", channelIndex: 0, value: 1, scale: 0 });
    const refused = gateway.sendDeviceCommand("press-01", { type: "reboot" }, "node-red:abc");
    expect(sent).toEqual([
      {
        t: "call",
        id: 1,
        call: { op: "writeDerivedReading", input: { source: "x", channel: "analog", channelIndex: 0, value: 1, scale: 0 } },
      },
      {
        t: "call",
        id: 2,
        call: { op: "sendDeviceCommand", deviceId: "press-01", action: { type: "reboot" }, requestedBy: "node-red:abc" },
      },
    ]);
    gateway.receive({ t: "result", id: 2, error: "rate limit" });
    gateway.receive({ t: "result", id: 1, value: reading({ deviceId: "flow.x" }) });
    await expect(stored).resolves.toMatchObject({ deviceId: "flow.x" });
    await expect(refused).rejects.toThrow("rate limit");
  });

  it("gives the status it last heard, and asks for updates once a node wants it", () => {
    const { sent, api: gateway } = api();
    expect(gateway.status()).toEqual(status);
    expect(sent).toEqual([{ t: "subscribe", feed: "status", on: true }]);
    gateway.receive({ t: "status", status: { ...status, readingsStored: 9 } });
    expect(gateway.status().readingsStored).toBe(9);
    expect(sent).toHaveLength(1);
  });
});

import { afterEach, describe, expect, it } from "vitest";
import { reading } from "../test/fake-gateway.js";
import { flowAround, loadFlow, loadNode, statuses, unloadFlow, until } from "../test/node-red-harness.js";
import readingsNode from "./readings.js";

const flow = (settings: Record<string, unknown>) => flowAround("source", "intelledger-readings", settings);

afterEach(unloadFlow);

describe("readings node", () => {
  it("sends each stored reading as a message with its physical value", async () => {
    const { gateway, out: received } = await loadNode(readingsNode, flow({}));
    const stored = reading({ deviceId: "press-01", channel: "vibration", value: 213, scale: 3 });
    gateway.emitReadings([stored]);
    await until(() => received.length === 1);
    expect(received[0]).toMatchObject({ topic: "press-01/vibration/0", payload: 0.213, reading: stored });
  });

  it("keeps only the devices and channel asked for, and leaves out what flows wrote back", async () => {
    const { gateway, out: received } = await loadNode(readingsNode, flow({ devices: "press-*, oven-2", channel: "temperature" }));
    gateway.emitReadings([
      reading({ gatewaySeq: 1, deviceId: "press-01", channel: "temperature" }),
      reading({ gatewaySeq: 2, deviceId: "press-01", channel: "vibration" }),
      reading({ gatewaySeq: 3, deviceId: "oven-2", channel: "temperature" }),
      reading({ gatewaySeq: 4, deviceId: "oven-20", channel: "temperature" }),
      reading({ gatewaySeq: 5, deviceId: "flow.press-x", channel: "temperature", derived: true }),
    ]);
    await until(() => received.length === 2);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(received.map((msg) => (msg.reading as { gatewaySeq: number }).gatewaySeq)).toEqual([1, 3]);
  });

  it("includes derived readings when asked to", async () => {
    const { gateway, out: received } = await loadNode(readingsNode, flow({ includeDerived: true }));
    gateway.emitReadings([reading({ deviceId: "flow.vibration-rms", derived: true })]);
    await until(() => received.length === 1);
  });

  it("stops listening when the flow is stopped", async () => {
    const { gateway } = await loadNode(readingsNode, flow({}));
    expect(gateway.readingListeners.size).toBe(1);
    await unloadFlow();
    expect(gateway.readingListeners.size).toBe(0);
  });

  it("shows a red status when Node-RED runs outside a gateway", async () => {
    await loadFlow([readingsNode], flow({}));
    expect(statuses("source")).toContainEqual({
      fill: "red",
      shape: "ring",
      text: "Node-RED is not running inside an IntelLedger gateway",
    });
  });
});

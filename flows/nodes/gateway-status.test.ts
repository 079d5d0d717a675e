import { afterEach, describe, expect, it } from "vitest";
import { flowAround, loadNode, node, statuses, unloadFlow, until } from "../test/node-red-harness.js";
import gatewayStatusNode from "./gateway-status.js";

const flow = (settings: Record<string, unknown>) => flowAround("status", "intelledger-status", settings);

afterEach(unloadFlow);

describe("gateway status node", () => {
  it("answers each message with the gateway's status", async () => {
    const { gateway, out } = await loadNode(gatewayStatusNode, flow({}));
    node("status").receive({ topic: "poll" });
    await until(() => out.length === 1);
    expect(out[0]).toMatchObject({ topic: "poll", payload: gateway.status() });
    expect(statuses("status").at(-1)).toEqual({ fill: "green", shape: "dot", text: "42 stored, backlog 10, uplink uploading" });
  });

  it("reports on its own every interval", async () => {
    const { out } = await loadNode(gatewayStatusNode, flow({ intervalS: "0.05" }));
    await until(() => out.length >= 2);
    expect(out[0]).toMatchObject({ topic: "gateway/status", payload: { readingsStored: 42 } });
  });
});

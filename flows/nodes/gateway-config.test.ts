import { afterEach, describe, expect, it } from "vitest";
import { FakeGateway } from "../test/fake-gateway.js";
import { GATEWAY_NODE, loadFlow, node, unloadFlow } from "../test/node-red-harness.js";

afterEach(unloadFlow);

describe("gateway config node", () => {
  it("hands out the API the gateway put into Node-RED's settings", async () => {
    const gateway = new FakeGateway();
    await loadFlow([], [], gateway);
    expect((node(GATEWAY_NODE) as unknown as { api: unknown }).api).toBe(gateway);
  });

  it("has no API when Node-RED runs outside a gateway", async () => {
    await loadFlow([], []);
    expect((node(GATEWAY_NODE) as unknown as { api: unknown }).api).toBeUndefined();
  });
});

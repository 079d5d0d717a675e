import { afterEach, describe, expect, it } from "vitest";
import type { RuleAlert } from "../gateway-api.js";
import { flowAround, loadNode, unloadFlow, until } from "../test/node-red-harness.js";
import alertsNode from "./alerts.js";

const flow = (settings: Record<string, unknown>) => flowAround("alerts", "intelledger-alerts", settings);

function alert(overrides: Partial<RuleAlert>): RuleAlert {
  return {
    gatewayId: "0xaa",
    alertGatewaySeq: 50,
    rule: "press-hot",
    subject: "press-01/temperature/0",
    state: "firing",
    severity: "critical",
    code: 9100,
    message: "press-hot firing: press-01/temperature/0 is 81, above 80",
    deviceId: "press-01",
    subjectGatewaySeq: 49,
    atMs: 1_700_000_000_000,
    ...overrides,
  };
}

afterEach(unloadFlow);

describe("rule alerts node", () => {
  it("sends each firing and resolution with its rule as topic", async () => {
    const { gateway, out: received } = await loadNode(alertsNode, flow({}));
    gateway.emitRuleAlert(alert({}));
    gateway.emitRuleAlert(alert({ state: "resolved", alertGatewaySeq: 60 }));
    await until(() => received.length === 2);
    expect(received[0]).toEqual({ _msgid: expect.any(String) as unknown, topic: "press-hot", payload: alert({}) });
    expect((received[1]?.payload as RuleAlert).state).toBe("resolved");
  });

  it("narrows to the rules and the states it is set to", async () => {
    const { gateway, out: received } = await loadNode(alertsNode, flow({ rules: "silent, press-hot", states: "firing" }));
    gateway.emitRuleAlert(alert({ rule: "other", alertGatewaySeq: 1 }));
    gateway.emitRuleAlert(alert({ state: "resolved", alertGatewaySeq: 2 }));
    gateway.emitRuleAlert(alert({ rule: "silent", alertGatewaySeq: 3 }));
    await until(() => received.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(received.map((msg) => (msg.payload as RuleAlert).alertGatewaySeq)).toEqual([3]);
  });
});

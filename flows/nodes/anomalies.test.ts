import { afterEach, describe, expect, it } from "vitest";
import type { AnomalyScore } from "../gateway-api.js";
import { reading } from "../test/fake-gateway.js";
import { flowAround, loadNode, unloadFlow, until } from "../test/node-red-harness.js";
import anomaliesNode from "./anomalies.js";

const flow = (settings: Record<string, unknown>) => flowAround("source", "intelledger-anomalies", settings);

function score(overrides: Partial<AnomalyScore>): AnomalyScore {
  return { score: 0.9, flagged: true, model: "vibration-ae@3", threshold: 0.7, ...overrides };
}

afterEach(unloadFlow);

describe("anomalies node", () => {
  it("sends flagged readings with their score", async () => {
    const { gateway, out: received } = await loadNode(anomaliesNode, flow({}));
    const flagged = reading({ gatewaySeq: 9, value: 880 });
    gateway.emitScore({ reading: reading({ gatewaySeq: 8 }), anomaly: score({ score: 0.2, flagged: false }) });
    gateway.emitScore({ reading: flagged, anomaly: score({}) });
    await until(() => received.length === 1);
    expect(received[0]).toMatchObject({ topic: "press-01/vibration/0", payload: 0.88, reading: flagged, anomaly: score({}) });
  });

  it("filters by channel, device and minimum score", async () => {
    const { gateway, out: received } = await loadNode(
      anomaliesNode,
      flow({ channel: "vibration", devices: "press-01", minScore: "0.95" }),
    );
    gateway.emitScore({ reading: reading({ gatewaySeq: 1, channel: "temperature" }), anomaly: score({ score: 0.99 }) });
    gateway.emitScore({ reading: reading({ gatewaySeq: 2, deviceId: "press-02" }), anomaly: score({ score: 0.99 }) });
    gateway.emitScore({ reading: reading({ gatewaySeq: 3 }), anomaly: score({ score: 0.9 }) });
    gateway.emitScore({ reading: reading({ gatewaySeq: 4 }), anomaly: score({ score: 0.99 }) });
    await until(() => received.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(received.map((msg) => (msg.reading as { gatewaySeq: number }).gatewaySeq)).toEqual([4]);
  });
});

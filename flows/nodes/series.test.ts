import { afterEach, describe, expect, it } from "vitest";
import { flowAround, loadNode, node, unloadFlow, until } from "../test/node-red-harness.js";
import seriesNode from "./series.js";

const flow = (settings: Record<string, unknown>) => flowAround("series", "intelledger-series", settings, { catchErrors: true });

afterEach(unloadFlow);

describe("series node", () => {
  it("asks for its stream over its span, or what the message names, and sends the answer", async () => {
    const { gateway, out: received } = await loadNode(
      seriesNode,
      flow({ stream: "press-01/temperature", spanS: "60", resolution: "1m" }),
    );
    node("series").receive({ payload: { to: 1_000_000 } });
    node("series").receive({ payload: { stream: "press-02/humidity/1", from: 5, to: 9, resolution: "raw", limit: 3 } });
    await until(() => received.length === 2);
    expect(gateway.seriesRequests).toEqual([
      { stream: "press-01/temperature", fromMs: 940_000, toMs: 1_000_000, resolution: "1m" },
      { stream: "press-02/humidity/1", fromMs: 5, toMs: 9, resolution: "raw", limit: 3 },
    ]);
    expect(received[0]).toMatchObject({ topic: "press-01/temperature", payload: { resolution: "1h", buckets: [{ count: 2 }] } });
  });

  it("reports a refused request as an error naming what was wrong", async () => {
    const { out: received, caught } = await loadNode(seriesNode, flow({ stream: "press-01" }));
    node("series").receive({ payload: {} });
    await until(() => caught.length === 1);
    // Node-RED gives catch nodes the error as text, "Error: <message>".
    expect(caught[0]?.error).toMatchObject({ message: expect.stringMatching(/^Error: stream: a stream is/) as unknown });
    expect(received).toEqual([]);
  });
});

import { afterEach, describe, expect, it } from "vitest";
import { reading } from "../test/fake-gateway.js";
import { flowAround, loadNode, node, unloadFlow, until } from "../test/node-red-harness.js";
import writeBackNode from "./write-back.js";

const flow = (settings: Record<string, unknown>) => flowAround("write", "intelledger-write", settings, { catchErrors: true });

afterEach(unloadFlow);

describe("write-back node", () => {
  it("writes a derived reading and passes on what was stored", async () => {
    const settings = { mode: "reading", source: "vibration-rms", channel: "vibration", channelIndex: "1", scale: "3" };
    const { gateway, out } = await loadNode(writeBackNode, flow(settings));
    node("write").receive({ payload: 0.2137, sampledAtMs: 1_700_000_000_123 });
    await until(() => out.length === 1);
    expect(gateway.derived).toEqual([
      { source: "vibration-rms", channel: "vibration", channelIndex: 1, value: 0.2137, scale: 3, sampledAtMs: 1_700_000_000_123 },
    ]);
    expect(out[0]?.stored).toMatchObject({ deviceId: "flow.vibration-rms", derived: true, value: 214, scale: 3 });
  });

  it("takes the source from msg.source when given", async () => {
    const { gateway } = await loadNode(writeBackNode, flow({ mode: "reading", source: "rms", channel: "vibration" }));
    node("write").receive({ payload: 1.5, source: "press-01.rms" });
    await until(() => gateway.derived.length === 1);
    expect(gateway.derived[0]?.source).toBe("press-01.rms");
  });

  it("refuses a derived reading that is not a number", async () => {
    const { gateway, caught } = await loadNode(writeBackNode, flow({ mode: "reading", source: "rms" }));
    node("write").receive({ payload: "high" });
    await until(() => caught.length === 1);
    expect(gateway.derived).toEqual([]);
  });

  it("raises an alert about the reading that caused it", async () => {
    const { gateway, out } = await loadNode(
      writeBackNode,
      flow({ mode: "alert", source: "vibration-watch", severity: "warning", code: "101" }),
    );
    node("write").receive({ payload: "vibration anomaly on press-01", reading: reading({ gatewaySeq: 77 }) });
    await until(() => out.length === 1);
    expect(gateway.alerts).toEqual([
      {
        source: "vibration-watch",
        severity: "warning",
        code: 101,
        message: "vibration anomaly on press-01",
        subject: { deviceId: "press-01", gatewaySeq: 77 },
      },
    ]);
    expect(out[0]?.stored).toMatchObject({ severity: "warning", code: 101, reading: { channel: "alert" } });
  });

  it("lets msg.alert override severity, code and message", async () => {
    const { gateway } = await loadNode(writeBackNode, flow({ mode: "alert", source: "watch", severity: "info", code: "1" }));
    node("write").receive({ payload: 3, alert: { severity: "critical", code: 9, message: "stop the line" } });
    await until(() => gateway.alerts.length === 1);
    expect(gateway.alerts[0]).toMatchObject({ severity: "critical", code: 9, message: "stop the line", subject: undefined });
  });
});

import type { GatewayMessage } from "node-red-contrib-intelledger/channel-messages";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { FakeGateway, reading } from "../../../flows/test/fake-gateway.js";
import { FlowChannelServer, nodeRedMessageSchema } from "./flow-channel-server.js";

function serve(limits = { writesPerSecond: 5, maxPendingWrites: 100, commandsPerMinute: 60 }, backlog = 0) {
  const gateway = new FakeGateway();
  const sent: GatewayMessage[] = [];
  const server = new FlowChannelServer({
    api: gateway,
    send: (message) => sent.push(message),
    backlogBytes: () => backlog,
    limits,
    logger: pino({ level: "silent" }),
  });
  return { gateway, sent, server };
}

const write = (id: number) => ({
  t: "call" as const,
  id,
  call: {
    op: "writeDerivedReading" as const,
    input: { source: "rms", channel: "analog" as const, channelIndex: 0, value: 1.5, scale: 1 },
  },
});
const results = (sent: GatewayMessage[]) => sent.filter((message) => message.t === "result");

describe("the gateway's side of the Node-RED channel", () => {
  it("takes only the messages of the contract", () => {
    expect(nodeRedMessageSchema.safeParse(write(1)).success).toBe(true);
    expect(nodeRedMessageSchema.safeParse({ t: "call", id: 1, call: { op: "deleteAccounts" } }).success).toBe(false);
    expect(nodeRedMessageSchema.safeParse({ t: "sql", query: "UPDATE accounts SET role='technician'" }).success).toBe(false);
    expect(nodeRedMessageSchema.safeParse({ t: "flows", rev: "not a revision" }).success).toBe(false);
  });

  it("writes back within its rate, then refuses with the reason", async () => {
    const { gateway, sent, server } = serve();
    for (let id = 1; id <= 12; id++) server.handle(write(id));
    await expect.poll(() => results(sent).length).toBe(12);
    expect(gateway.derived).toHaveLength(10);
    expect(results(sent).filter((result) => "error" in result)).toEqual([
      { t: "result", id: 11, error: "rate limit: flows may write back 5 readings and alerts a second" },
      { t: "result", id: 12, error: "rate limit: flows may write back 5 readings and alerts a second" },
    ]);
  });

  it("sends a device at most one command a second, named after the node that asked", async () => {
    const { gateway, sent, server } = serve();
    const command = (id: number, deviceId: string, requestedBy: string) =>
      server.handle({ t: "call", id, call: { op: "sendDeviceCommand", deviceId, action: { type: "reboot" }, requestedBy } });
    command(1, "press-01", "node-red:b2b2");
    command(2, "press-01", "node-red:b2b2");
    command(3, "press-02", "'; DROP TABLE audit_log; --");
    await expect.poll(() => results(sent).length).toBe(3);
    expect(gateway.commands).toEqual([
      { deviceId: "press-01", action: { type: "reboot" }, requestedBy: "node-red:b2b2" },
      { deviceId: "press-02", action: { type: "reboot" }, requestedBy: "node-red" },
    ]);
    expect(results(sent).find((result) => result.id === 2)).toMatchObject({
      error: expect.stringMatching(/^rate limit/) as unknown,
    });
  });

  it("drops readings for a Node-RED that does not keep up instead of queueing them", () => {
    const { gateway, sent, server } = serve(undefined, 8 * 1024 * 1024);
    server.handle({ t: "subscribe", feed: "readings", on: true });
    gateway.emitReadings([reading(), reading({ gatewaySeq: 2 })]);
    expect(sent).toEqual([]);
    expect(server.dropped).toBe(2);
    server.close();
    expect(gateway.readingListeners.size).toBe(0);
  });

  it("answers series queries and forwards rule alerts while the process follows them, never dropping one", async () => {
    const { gateway, sent, server } = serve(undefined, 10 * 1024 * 1024);
    server.handle({
      t: "call",
      id: 1,
      call: { op: "querySeries", request: { stream: "press-01/temperature", resolution: "1h" } },
    });
    server.handle({ t: "call", id: 2, call: { op: "querySeries", request: { stream: "press-01" } } });
    await expect.poll(() => results(sent).length).toBe(2);
    expect(results(sent)[0]).toMatchObject({ id: 1, value: { stream: "press-01/temperature", resolution: "1h" } });
    expect(results(sent)[1]).toMatchObject({ id: 2, error: expect.stringMatching(/^stream: /) as unknown });
    expect(
      nodeRedMessageSchema.safeParse({ t: "call", id: 3, call: { op: "querySeries", request: { stream: "a/b", limit: 0 } } })
        .success,
    ).toBe(false);

    server.handle({ t: "subscribe", feed: "alerts", on: true });
    const alert = {
      gatewayId: "0xaa",
      alertGatewaySeq: 7,
      rule: "hot",
      subject: "press-01/temperature/0",
      state: "firing" as const,
      severity: "warning" as const,
      code: 9100,
      message: "hot firing",
      deviceId: "press-01",
      atMs: 1,
    };
    // A backlog that drops readings for the process does not drop alerts.
    gateway.emitRuleAlert(alert);
    expect(sent.filter((message) => message.t === "alert")).toEqual([{ t: "alert", alert }]);
    server.handle({ t: "subscribe", feed: "alerts", on: false });
    expect(gateway.ruleAlertListeners.size).toBe(0);
  });
});

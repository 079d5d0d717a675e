import type { AnchoredBatch } from "@intelledger/proto/relay";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { StubRelay } from "../../test/stub-relay.js";
import { GatewayClock } from "../clock/gateway-clock.js";
import { startHeartbeats, type HeartbeatOptions } from "./heartbeats.js";

const GATEWAY = "0x00000000000000000000000000000000000000aa";
let relay: StubRelay;

beforeEach(async () => {
  relay = new StubRelay();
  await relay.start();
});

afterEach(() => relay.stop());

function collectingLogger(level: "debug" | "warn") {
  const lines: { level: number; msg: string }[] = [];
  return { lines, logger: pino({ level }, { write: (line: string) => lines.push(JSON.parse(line) as (typeof lines)[number]) }) };
}

/** Heartbeats every 40 ms from a gateway with an empty backlog, over a client of the stub relay; `options` change any of it. */
function heartbeatsTo(client: HeartbeatOptions["client"], options: Partial<HeartbeatOptions> = {}): () => void {
  return startHeartbeats({
    client,
    gatewayId: GATEWAY,
    clock: new GatewayClock({ boot: 1 }),
    backlog: () => ({ batches: 0, readings: 0, oldestSealedAtMs: undefined }),
    intervalMs: 40,
    onAnchored: () => undefined,
    logger: pino({ level: "silent" }),
    ...options,
  });
}

describe("heartbeats", () => {
  it("report the backlog on every interval until stopped", async () => {
    const client = relay.client();
    let backlog = { batches: 3, readings: 120, oldestSealedAtMs: 1 };
    const stop = heartbeatsTo(client, { clock: new GatewayClock({ boot: 2 }), backlog: () => backlog });
    await vi.waitFor(() => expect(relay.heartbeats.length).toBeGreaterThanOrEqual(2));
    expect(relay.heartbeats[0]).toMatchObject({ gatewayId: GATEWAY, backlogBatches: 3, backlogReadings: 120, boot: 2 });
    backlog = { batches: 0, readings: 0, oldestSealedAtMs: 1 };
    const seen = relay.heartbeats.length;
    await vi.waitFor(() => expect(relay.heartbeats.length).toBeGreaterThan(seen));
    expect(relay.heartbeats.at(-1)).toMatchObject({ backlogBatches: 0, backlogReadings: 0 });
    stop();
    const atStop = relay.heartbeats.length;
    await new Promise((resolve) => setTimeout(resolve, 150));
    // One may have been on its way when they stopped.
    expect(relay.heartbeats.length - atStop).toBeLessThanOrEqual(1);
    client.close();
  });

  it("check the clock against the relay's answer, and only log a heartbeat that failed", async () => {
    relay.relayTimeMs = () => Date.now() - 30_000;
    const client = relay.client();
    const { lines, logger } = collectingLogger("debug");
    const stop = heartbeatsTo(client, { logger });
    await vi.waitFor(() => expect(lines.some((line) => /clock disagrees/.test(line.msg))).toBe(true));
    relay.stop();
    await vi.waitFor(() => expect(lines.some((line) => line.msg === "heartbeat failed")).toBe(true));
    stop();
    client.close();
  });

  it("pass on the newest anchored batch the relay names, once it names one", async () => {
    const client = relay.client();
    const anchored: AnchoredBatch[] = [];
    const stop = heartbeatsTo(client, { onAnchored: (batch) => anchored.push(batch) });
    await vi.waitFor(() => expect(relay.heartbeats.length).toBeGreaterThanOrEqual(2));
    expect(anchored).toEqual([]);
    const batch = { sequence: 7, transactionHash: `0x${"ab".repeat(32)}`, blockNumber: 12, confirmedAtMs: 1_700_000_000_000 };
    relay.lastAnchored = batch;
    await vi.waitFor(() => expect(anchored.at(-1)).toEqual(batch));
    stop();
    client.close();
  });
});

// What operators see of uploads on a running relay: each upload stream's request id (the
// caller's x-request-id or one the relay makes) in its response headers, on its refusal
// status and on every log line about it; the per-gateway lag, anchor age and ack latency
// metrics; and OpenTelemetry traces, received over OTLP/HTTP by a server in this process,
// from each batch's upload (continuing the gateway's trace context) through verification
// and storage to its anchor.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Wallet } from "ethers";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOtlpReceiver, type ReceivedSpan } from "../test/otlp-receiver.js";
import {
  documentedBatchHash,
  ProtoRelayClient,
  signedWireBatch,
  wireReadings,
  type SignedWireBatch,
} from "../test/proto-relay-client.js";
import { createRelayFixture, type RelayFixture } from "../test/relay-fixture.js";
import { parseRelayConfig } from "./config.js";
import { startRelay, type Relay } from "./relay.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let fixture: RelayFixture;
let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;
let relay: Relay | undefined;
let client: ProtoRelayClient;
const logLines: Record<string, unknown>[] = [];
const signer = new Wallet(Wallet.createRandom().privateKey);
const batches: SignedWireBatch[] = [];
const gatewayTraceId = randomBytes(16).toString("hex");
const gatewaySpanId = randomBytes(8).toString("hex");

beforeAll(async () => {
  fixture = await createRelayFixture();
  receiver = await startOtlpReceiver();
  const logger = pino({ level: "info" }, { write: (line: string) => logLines.push(JSON.parse(line) as Record<string, unknown>) });
  relay = await startRelay(parseRelayConfig(fixture.config({ telemetry: { otlpEndpoint: receiver.url } })), logger);
  client = new ProtoRelayClient(`127.0.0.1:${relay.port}`, await fixture.gatewayTls(signer.address));
  await client.register(signer);
  let previousBatchHash: Uint8Array = new Uint8Array(32);
  for (const sequence of [1, 2]) {
    const signed = await signedWireBatch(signer, {
      sequence,
      previousBatchHash,
      readings: wireReadings([sequence * 2 - 1, sequence * 2]),
    });
    batches.push(signed);
    previousBatchHash = documentedBatchHash(signed.batch);
  }
}, 180_000);

afterAll(async () => {
  client?.close();
  await relay?.stop();
  await receiver?.close();
  await fixture?.close();
});

async function metricsText(): Promise<string> {
  const token = readFileSync(join(fixture.config().dataDir, "api.token"), "utf8").trim();
  return (await fetch(`http://127.0.0.1:${relay!.apiPort}/metrics`, { headers: { authorization: `Bearer ${token}` } })).text();
}

describe("a running relay's request ids, metrics and traces", () => {
  it("keeps the caller's x-request-id for an upload: in its headers and on every log line about it", async () => {
    const stream = client.openUpload({
      "x-request-id": "plant-7/upload-1",
      traceparent: `00-${gatewayTraceId}-${gatewaySpanId}-01`,
    });
    for (const batch of batches) stream.sendBatch(batch);
    await stream.next((answer) => answer.message === "ack" && answer.ack?.sequence === 2);
    stream.end();
    expect(await stream.ended).toBeUndefined();
    expect((await stream.headers)["x-request-id"]).toBe("plant-7/upload-1");
    const lines = logLines.filter((line) => line.requestId === "plant-7/upload-1");
    expect(lines.map((line) => line.msg)).toEqual(expect.arrayContaining(["upload stream opened", "upload stream closed"]));
    for (const line of lines) expect(line.gatewayId).toBe(signer.address);
    // No other line names the upload without its id.
    expect(logLines.filter((line) => line.msg === "upload stream opened" && line.requestId === undefined)).toEqual([]);
  });

  it("makes a request id when the caller sends none, and returns it with a refusal too", async () => {
    const stream = client.openUpload({ "x-request-id": "not a valid id because of spaces" });
    // Batch 1 again but claiming sequence 5: it does not extend the chain.
    const unlinked = await signedWireBatch(signer, {
      sequence: 5,
      previousBatchHash: new Uint8Array(32),
      readings: wireReadings([9]),
    });
    stream.sendBatch(unlinked);
    const refusal = await stream.ended;
    const requestId = (await stream.headers)["x-request-id"];
    expect(requestId).toMatch(UUID);
    expect(refusal?.metadata["x-request-id"]).toBe(requestId);
    const refusalLine = logLines.find((line) => line.requestId === requestId && String(line.msg).startsWith("call refused"));
    expect(refusalLine).toMatchObject({ rpc: "upload", caller: signer.address });
  });

  it("exports per-gateway lag, anchor age, ack latency and resident memory", async () => {
    const before = await metricsText();
    expect(before).toMatch(
      new RegExp(`^intelledger_relay_gateway_lag_seconds\\{gateway="${signer.address}"\\} [0-9.e+-]+$`, "m"),
    );
    expect(Number(/^intelledger_relay_batch_ack_seconds_count (\d+)$/m.exec(before)?.[1])).toBeGreaterThanOrEqual(2);
    expect(Number(/^process_resident_memory_bytes (\d+)$/m.exec(before)?.[1])).toBeGreaterThan(10 * 2 ** 20);
    // Once both batches' anchor is confirmed, nothing waits and the last anchor is recent.
    const deadline = Date.now() + 60_000;
    const anchoredAll = async () => {
      const { anchored } = await relay!.snapshot();
      return anchored.unanchoredBatches === 0 && anchored.readingsAnchored >= 4;
    };
    while (!(await anchoredAll()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    const after = await metricsText();
    expect(after).toMatch(new RegExp(`^intelledger_relay_gateway_lag_seconds\\{gateway="${signer.address}"\\} 0$`, "m"));
    expect(after).toMatch(/^intelledger_relay_oldest_unanchored_batch_age_seconds 0$/m);
    const anchorAge = Number(/^intelledger_relay_anchor_age_seconds ([0-9.e+-]+)$/m.exec(after)?.[1]);
    expect(anchorAge).toBeGreaterThanOrEqual(0);
    expect(anchorAge).toBeLessThan(60);
  });

  it("traces each batch from its upload, under the gateway's trace, through verify and store to its anchor", async () => {
    // Stopping flushes the spans still queued.
    await relay!.stop();
    relay = undefined;
    const spans = receiver.spans;
    const named = (name: string, sequence: number): ReceivedSpan[] =>
      spans.filter((span) => span.name === name && span.attributes["intelledger.batch.sequence"] === sequence);
    for (const sequence of [1, 2]) {
      const [upload, ...extraUploads] = named("relay.upload", sequence);
      expect(extraUploads).toEqual([]);
      expect(upload).toMatchObject({
        traceId: gatewayTraceId,
        parentSpanId: gatewaySpanId,
        service: "intelledger-relay",
        attributes: {
          "intelledger.gateway.id": signer.address,
          "intelledger.batch.sequence": sequence,
          "intelledger.request.id": "plant-7/upload-1",
        },
      });
      for (const step of ["relay.verify", "relay.store", "relay.anchor"]) {
        const children = named(step, sequence);
        expect(children, step).toHaveLength(1);
        expect(children[0], step).toMatchObject({
          traceId: gatewayTraceId,
          parentSpanId: upload!.spanId,
          attributes: { "intelledger.gateway.id": signer.address, "intelledger.batch.sequence": sequence },
        });
      }
      expect(named("relay.anchor", sequence)[0]?.attributes["intelledger.anchor.tx_hash"]).toMatch(/^0x[0-9a-f]{64}$/);
    }
  });
});

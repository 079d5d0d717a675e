// ReceiptService as a gateway written from receipts.proto sees it: the receipts of its own
// readings over its mutual-TLS channel, the same JSON the HTTP API gives with its bearer
// token, and nobody else's.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { status } from "@grpc/grpc-js";
import { Wallet } from "ethers";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { until } from "@intelledger/test-support";
import { ProtoRelayClient, refusalOfCall, signedWireBatch, wireReadings } from "../../test/proto-relay-client.js";
import { createRelayFixture, type RelayFixture } from "../../test/relay-fixture.js";
import { parseRelayConfig } from "../config.js";
import { startRelay, type Relay } from "../relay.js";

let fixture: RelayFixture;
let relay: Relay;
let signer: Wallet;
let client: ProtoRelayClient;

function relayApi(method: string, path: string, body?: unknown): Promise<Response> {
  const token = readFileSync(join(fixture.config().dataDir, "api.token"), "utf8").trim();
  return fetch(`http://127.0.0.1:${relay.apiPort}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined && { "content-type": "application/json" }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
}

beforeAll(async () => {
  fixture = await createRelayFixture();
  relay = await startRelay(parseRelayConfig(fixture.config()), pino({ level: "silent" }));
  signer = new Wallet(Wallet.createRandom().privateKey);
  client = new ProtoRelayClient(`127.0.0.1:${relay.port}`, await fixture.gatewayTls(signer.address));
  await client.register(signer);
  const stream = client.openUpload();
  stream.sendBatch(
    await signedWireBatch(signer, { sequence: 1, previousBatchHash: new Uint8Array(32), readings: wireReadings([1, 2, 3]) }),
  );
  await stream.next((answer) => answer.message === "ack" && answer.ack?.sequence === 1);
  stream.end();
  await stream.ended;
}, 180_000);

afterAll(async () => {
  client?.close();
  await relay?.stop();
  await fixture?.close();
});

describe("receipts over the gateway's own channel", () => {
  it("answers a reading's receipt once its batch is anchored, the same document the HTTP API answers", async () => {
    await until(
      async () => (await relayApi("GET", `/v1/receipts/${signer.address}/2`)).status === 200,
      "reading 2's batch anchored",
      120_000,
      250,
    );
    const overGrpc = await client.fetchReceipt(signer.address, 2);
    const overHttp = (await (await relayApi("GET", `/v1/receipts/${signer.address}/2`)).json()) as Record<string, unknown>;
    expect(overGrpc).toEqual(overHttp);
    expect(overGrpc).toMatchObject({ reading: { gatewaySeq: 2 }, batch: { gatewayId: signer.address, sequence: 1 } });
  }, 180_000);

  it("says NOT_FOUND for a reading no stored batch holds", async () => {
    const refusal = await refusalOfCall(client.fetchReceipt(signer.address, 99));
    expect(refusal.code).toBe(status.NOT_FOUND);
    expect(refusal.details).toContain("holds reading 99");
  });

  it("gives a gateway no other gateway's receipt, and nobody without a certificate", async () => {
    const other = new Wallet(Wallet.createRandom().privateKey);
    const otherClient = new ProtoRelayClient(`127.0.0.1:${relay.port}`, await fixture.gatewayTls(other.address));
    const mismatch = await refusalOfCall(otherClient.fetchReceipt(signer.address, 2));
    expect(mismatch).toMatchObject({ code: status.PERMISSION_DENIED, metadata: { "x-detail-reason": "gateway_mismatch" } });
    otherClient.close();

    const anonymous = new ProtoRelayClient(`127.0.0.1:${relay.port}`, { caCertFile: fixture.config().tls.caCertFile });
    const refused = await refusalOfCall(anonymous.fetchReceipt(signer.address, 2));
    expect(refused).toMatchObject({
      code: status.UNAUTHENTICATED,
      metadata: { "x-detail-reason": "client_certificate_refused" },
    });
    anonymous.close();
  });

  it("refuses a revoked gateway its receipts until it is reinstated", async () => {
    expect((await relayApi("POST", `/v1/gateways/${signer.address}/revoke`, { reason: "stolen from site 4" })).status).toBe(200);
    const refusal = await refusalOfCall(client.fetchReceipt(signer.address, 2));
    expect(refusal).toMatchObject({ code: status.PERMISSION_DENIED, metadata: { "x-detail-reason": "gateway_revoked" } });
    expect((await relayApi("POST", `/v1/gateways/${signer.address}/reinstate`, {})).status).toBe(200);
    expect(await client.fetchReceipt(signer.address, 2)).toMatchObject({ reading: { gatewaySeq: 2 } });
  }, 120_000);
});

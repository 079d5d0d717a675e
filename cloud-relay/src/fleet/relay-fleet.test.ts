// Fleet management on two relay replicas sharing one PostgreSQL database, from a gateway
// client written from relay.proto alone and the admin HTTP API: what the fleet view shows of
// a gateway, and revocation, allowlist and rate limit set through one replica and applied by
// the other on the gateway's next call.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { status } from "@grpc/grpc-js";
import { Wallet } from "ethers";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  documentedBatchHash,
  PROTO_CLIENT_VERSION,
  newGateway,
  refusalOfCall,
  signedWireBatch,
  wireReadings,
  type SignedWireBatch,
} from "../../test/proto-relay-client.js";
import { createRelayFixture, type RelayFixture } from "../../test/relay-fixture.js";
import { createThrowawayDatabase, type ThrowawayDatabase } from "../../test/throwaway-postgres.js";
import { parseRelayConfig } from "../config.js";
import { startRelay, type Relay } from "../relay.js";

const ACCESS_REFRESH_MS = 200;

let fixture: RelayFixture;
let database: ThrowawayDatabase;
/** Operators talk to replica A; the gateways call replica B. */
let replicaA: Relay;
let replicaB: Relay;
let tokenA: string;

async function startReplica(name: string): Promise<Relay> {
  const config = fixture.config({
    dataDir: join(fixture.dir, name),
    database: { url: database.url, poolSize: 4 },
    fleet: { accessRefreshMs: ACCESS_REFRESH_MS },
  });
  return startRelay(parseRelayConfig(config), pino({ level: "silent" }));
}

beforeAll(async () => {
  fixture = await createRelayFixture();
  database = await createThrowawayDatabase();
  replicaA = await startReplica("replica-a");
  replicaB = await startReplica("replica-b");
  tokenA = readFileSync(join(fixture.dir, "replica-a", "api.token"), "utf8").trim();
}, 180_000);

afterAll(async () => {
  await replicaB?.stop();
  await replicaA?.stop();
  await database?.drop();
  await fixture?.close();
});

/** A request to replica A's admin API with its bearer token; the status and the JSON answer. */
async function admin(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`http://127.0.0.1:${replicaA.apiPort}${path}`, {
    method,
    headers: { authorization: `Bearer ${tokenA}`, "content-type": "application/json" },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** A gateway with its key and a client of replica B. */
const gateway = () => newGateway(`127.0.0.1:${replicaB.port}`, (gatewayId) => fixture.gatewayTls(gatewayId));

/** The gateway's batches 1..count, chained, three readings each. */
async function chainOf(signer: Wallet, count: number): Promise<SignedWireBatch[]> {
  const batches: SignedWireBatch[] = [];
  let previousBatchHash: Uint8Array = new Uint8Array(32);
  for (let sequence = 1; sequence <= count; sequence++) {
    const first = (sequence - 1) * 3 + 1;
    const signed = await signedWireBatch(signer, {
      sequence,
      previousBatchHash,
      readings: wireReadings([first, first + 1, first + 2]),
    });
    batches.push(signed);
    previousBatchHash = documentedBatchHash(signed.batch);
  }
  return batches;
}

describe("fleet management across replicas", () => {
  it("shows what a gateway said of itself: software version, clock offset, first and last seen, address, backlog", async () => {
    const { signer, client } = await gateway();
    const before = Date.now();
    await client.register(signer);
    await client.heartbeat(signer.address, 40, 5_000);
    const { status: code, body } = await admin("GET", `/v1/gateways/${signer.address.toLowerCase()}`);
    expect(code).toBe(200);
    expect(body).toMatchObject({
      gatewayId: signer.address,
      state: "online",
      softwareVersion: PROTO_CLIENT_VERSION,
      address: "127.0.0.1",
      backlogReadings: 40,
      backlogBatches: 1,
    });
    // The client's clock ran 5 s ahead; the call's transit on a loaded machine blurs it a little.
    expect(body.clockOffsetMs).toBeGreaterThan(3_000);
    expect(body.clockOffsetMs).toBeLessThanOrEqual(5_000);
    expect(body.firstSeenAtMs).toBeGreaterThanOrEqual(before);
    expect(body.lastSeenAtMs).toBeGreaterThanOrEqual(body.firstSeenAtMs as number);
    client.close();
  });

  it("refuses a revoked gateway's certificate on its next call to another replica, naming why, until it is reinstated", async () => {
    const { signer, client } = await gateway();
    const [first, second] = await chainOf(signer, 2);
    await client.register(signer);
    const stream = client.openUpload();
    stream.sendBatch(first!);
    await stream.next((answer) => answer.message === "ack" && answer.ack?.sequence === 1);

    const revoked = await admin("POST", `/v1/gateways/${signer.address}/revoke`, { reason: "stolen from site 4" });
    expect(revoked).toMatchObject({ status: 200, body: { gatewayId: signer.address, revokedReason: "stolen from site 4" } });
    // One call at a time: a refusal that came while the test awaited the other would be unhandled.
    for (const call of [() => client.heartbeat(signer.address, 0), () => client.register(signer)]) {
      const refusal = await refusalOfCall(call());
      expect(refusal).toMatchObject({ code: status.PERMISSION_DENIED, metadata: { "x-detail-reason": "gateway_revoked" } });
      expect(refusal.details).toContain("stolen from site 4");
      expect(refusal.details).toContain("the relay refuses its certificate");
    }
    const fresh = client.openUpload();
    fresh.sendBatch(second!);
    expect(await fresh.ended).toMatchObject({
      code: status.PERMISSION_DENIED,
      metadata: { "x-detail-reason": "gateway_revoked" },
    });
    // The stream open since before the revocation is ended once the replica reads the decisions again, without another batch.
    expect(await stream.ended).toMatchObject({
      code: status.PERMISSION_DENIED,
      metadata: { "x-detail-reason": "gateway_revoked" },
    });
    expect((await admin("GET", `/v1/gateways/${signer.address}`)).body).toMatchObject({ revokedReason: "stolen from site 4" });

    const reinstated = await admin("POST", `/v1/gateways/${signer.address}/reinstate`);
    expect(reinstated.status).toBe(200);
    expect(reinstated.body.revokedAtMs).toBeUndefined();
    expect(await client.register(signer)).toMatchObject({ nextSequence: expect.any(Number) as number });
    client.close();
  });

  it("refuses a gateway calling from outside its allowlist with its own reason, and takes it from inside", async () => {
    const { signer, client } = await gateway();
    await client.register(signer);
    const bad = await admin("PATCH", `/v1/gateways/${signer.address}/access`, { allowedCidrs: ["10.0.0.0/8", "127.0.0/8"] });
    expect(bad).toEqual({ status: 400, body: { error: '"127.0.0/8" is not a CIDR block such as 10.0.0.0/8 or 2001:db8::/32' } });
    const outside = await admin("PATCH", `/v1/gateways/${signer.address}/access`, { allowedCidrs: ["10.0.0.0/8"] });
    expect(outside).toMatchObject({ status: 200, body: { allowedCidrs: ["10.0.0.0/8"] } });
    const refusal = await refusalOfCall(client.heartbeat(signer.address, 0));
    expect(refusal).toMatchObject({
      code: status.PERMISSION_DENIED,
      metadata: { "x-detail-reason": "address_not_allowed", "x-detail-address": "127.0.0.1" },
    });
    expect(refusal.details).toContain("may not call from 127.0.0.1");
    await admin("PATCH", `/v1/gateways/${signer.address}/access`, { allowedCidrs: ["10.0.0.0/8", "127.0.0.0/8"] });
    await client.heartbeat(signer.address, 0);
    await admin("PATCH", `/v1/gateways/${signer.address}/access`, { allowedCidrs: null });
    expect((await admin("GET", `/v1/gateways/${signer.address}`)).body.allowedCidrs).toBeUndefined();
    client.close();
  });

  it("answers a gateway over its own rate limit RESOURCE_EXHAUSTED with when to come back, storing nothing twice", async () => {
    const { signer, client } = await gateway();
    const batches = await chainOf(signer, 3);
    await client.register(signer);
    const limited = await admin("PATCH", `/v1/gateways/${signer.address}/access`, {
      rateLimit: { batchesPerSecond: 0.5, burst: 2 },
    });
    expect(limited).toMatchObject({ status: 200, body: { rateLimit: { batchesPerSecond: 0.5, burst: 2 } } });
    const stream = client.openUpload();
    for (const batch of batches) stream.sendBatch(batch);
    const refusal = await stream.ended;
    expect(refusal).toMatchObject({ code: status.RESOURCE_EXHAUSTED, metadata: { "x-detail-reason": "rate_limited" } });
    const retryAfterMs = Number(refusal?.metadata["x-detail-retry-after-ms"]);
    expect(retryAfterMs).toBeGreaterThan(0);
    expect(retryAfterMs).toBeLessThanOrEqual(2_000);
    // The two within the burst are stored and acknowledged before the refusal, the third is not.
    expect(stream.answers.filter((answer) => answer.message === "ack").map((answer) => answer.ack?.sequence)).toEqual([1, 2]);
    expect(await client.register(signer)).toMatchObject({ nextSequence: 3 });
    await new Promise((resolve) => setTimeout(resolve, retryAfterMs));
    const again = client.openUpload();
    again.sendBatch(batches[2]!);
    await again.next((answer) => answer.message === "ack" && answer.ack?.sequence === 3);
    again.end();
    expect(await again.ended).toBeUndefined();
    const listed = await admin("GET", `/v1/gateways/${signer.address}/batches`);
    expect((listed.body.batches as { sequence: number }[]).map((batch) => batch.sequence)).toEqual([3, 2, 1]);
    client.close();
  });

  it("lists a gateway's batches with their state and shows the anchors, answering bad requests precisely", async () => {
    const { signer, client } = await gateway();
    const [first] = await chainOf(signer, 1);
    await client.register(signer);
    const stream = client.openUpload();
    stream.sendBatch(first!);
    await stream.next((answer) => answer.message === "ack");
    stream.end();
    const listed = await admin("GET", `/v1/gateways/${signer.address}/batches?limit=5`);
    expect(listed.status).toBe(200);
    expect(listed.body.batches).toEqual([
      expect.objectContaining({
        sequence: 1,
        readingCount: 3,
        proof: "none",
        pruned: false,
        state: expect.any(String) as string,
      }),
    ]);
    expect(await admin("GET", `/v1/gateways/${signer.address}/batches?limit=0`)).toEqual({
      status: 400,
      body: { error: "limit must be a whole number from 1 to 1000" },
    });
    expect((await admin("GET", `/v1/gateways/${Wallet.createRandom().address}/batches`)).status).toBe(404);
    expect((await admin("POST", `/v1/gateways/${signer.address}/revoke`, { reason: 7 })).status).toBe(400);
    expect((await admin("PATCH", `/v1/gateways/${signer.address}/access`, {})).body).toEqual({
      error: "the body must set allowedCidrs, rateLimit or both",
    });
    const anchors = await admin("GET", "/v1/anchors?latest=3");
    expect(anchors.status).toBe(200);
    expect(anchors.body).toMatchObject({
      leader: { term: expect.any(Number) as number },
      latest: expect.any(Array) as unknown[],
    });
    const unauthorised = await fetch(`http://127.0.0.1:${replicaA.apiPort}/v1/gateways/${signer.address}/revoke`, {
      method: "POST",
    });
    expect(unauthorised.status).toBe(401);
    client.close();
  });
});

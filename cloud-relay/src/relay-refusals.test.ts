// The relay's trust boundary, over mutual TLS, from a client written from relay.proto and
// docs/wire-formats.md alone: each refusal answers its documented status and reason.
import { status } from "@grpc/grpc-js";
import { Wallet } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRelayFixture, type RelayFixture } from "../test/relay-fixture.js";
import {
  documentedBatchHash,
  newGateway,
  ProtoRelayClient,
  refusalOfCall,
  signedWireBatch,
  signDocumentedBatch,
  wireReadings,
  type Refusal,
  type SignedWireBatch,
} from "../test/proto-relay-client.js";
import { maxReceiveMessageBytes } from "./grpc/message-bounds.js";
import type { Relay } from "./relay.js";

let fixture: RelayFixture;
let relay: Relay;
let address: string;

/** A gateway with its key, certificate and client. */
const gateway = () => newGateway(address, (gatewayId) => fixture.gatewayTls(gatewayId));

/** A gateway's first batch, of readings with these gateway sequence numbers. */
const firstBatch = (signer: Wallet, gatewaySeqs: number[]) =>
  signedWireBatch(signer, { sequence: 1, previousBatchHash: new Uint8Array(32), readings: wireReadings(gatewaySeqs) });

async function uploadAcked(client: ProtoRelayClient, signed: SignedWireBatch): Promise<void> {
  const stream = client.openUpload();
  stream.sendBatch(signed);
  await stream.next((answer) => answer.message === "ack" && answer.ack?.sequence === signed.batch.sequence);
  stream.end();
  expect(await stream.ended).toBeUndefined();
}

beforeAll(async () => {
  fixture = await createRelayFixture();
  relay = await fixture.startRelay({ refusalLog: { intervalMs: 60_000 } });
  address = `127.0.0.1:${relay.port}`;
}, 180_000);

afterAll(() => fixture?.close());

describe("the relay's trust boundary", () => {
  it("refuses a heartbeat naming another gateway than the certificate's, and never counts its backlog", async () => {
    const a = await gateway();
    const b = Wallet.createRandom();
    await a.client.register(a.signer);
    const refusal = await refusalOfCall(a.client.heartbeat(b.address, 1e12));
    expect(refusal).toMatchObject({ code: status.PERMISSION_DENIED, metadata: { "x-detail-reason": "gateway_mismatch" } });
    expect((await relay.snapshot()).gatewayBacklogReadings).toBe(0);
    await a.client.heartbeat(a.signer.address, 42);
    expect((await relay.snapshot()).gatewayBacklogReadings).toBe(42);
    await a.client.heartbeat(a.signer.address, 0);
    a.client.close();
  });

  it("refuses registrations whose timestamp is outside the window, telling the relay's time", async () => {
    const { signer, client } = await gateway();
    for (const timestampMs of [1, Date.now() + 10 * 365 * 86_400_000]) {
      const refusal = await refusalOfCall(client.register(signer, timestampMs));
      expect(refusal).toMatchObject({ code: status.FAILED_PRECONDITION, metadata: { "x-detail-reason": "registration_clock" } });
      expect(Math.abs(Number(refusal.metadata["x-detail-relay-time-ms"]) - Date.now())).toBeLessThan(60_000);
    }
    const registered = await client.register(signer);
    expect(registered).toMatchObject({ nextSequence: 1, lastGatewaySeq: 0 });
    client.close();
  });

  it("refuses a registration signed by another key than the certificate's gateway", async () => {
    const { client } = await gateway();
    const impostor = Wallet.createRandom();
    const refusal = await refusalOfCall(client.register(new Wallet(impostor.privateKey)));
    expect(refusal).toMatchObject({ code: status.PERMISSION_DENIED, metadata: { "x-detail-reason": "gateway_mismatch" } });
    client.close();
  });

  it("answers clients without a certificate, or with one from another CA, UNAUTHENTICATED, and counts them", async () => {
    const before = (await relay.snapshot()).refusals.client_certificate_refused ?? 0;
    const signer = new Wallet(Wallet.createRandom().privateKey);
    const anonymous = new ProtoRelayClient(address, { caCertFile: (await fixture.gatewayTls("x")).caCertFile });
    const foreign = new ProtoRelayClient(address, await fixture.foreignTls(signer.address));
    for (const client of [anonymous, foreign]) {
      expect(await refusalOfCall(client.register(signer))).toMatchObject({
        code: status.UNAUTHENTICATED,
        metadata: { "x-detail-reason": "client_certificate_refused" },
      });
      const stream = client.openUpload();
      expect(await stream.ended).toMatchObject({ code: status.UNAUTHENTICATED });
      client.close();
    }
    expect((await relay.snapshot()).refusals.client_certificate_refused).toBe(before + 4);
  });

  it("stores a batch signed from the documented EIP-712 type, and tells a returning gateway where its record stands", async () => {
    const { signer, client } = await gateway();
    await client.register(signer);
    const first = await firstBatch(signer, [1, 2, 3]);
    await uploadAcked(client, first);
    const registered = await client.register(signer);
    expect(registered.nextSequence).toBe(2);
    expect(Buffer.from(registered.lastBatchHash as Uint8Array)).toEqual(Buffer.from(documentedBatchHash(first.batch)));
    expect(registered.lastGatewaySeq).toBe(3);
    client.close();
  });

  it("checks a resent batch's signature as strictly as a first send's", async () => {
    const { signer, client } = await gateway();
    const first = await firstBatch(signer, [1, 2]);
    await uploadAcked(client, first);
    const forged = { ...first, signature: await signDocumentedBatch(new Wallet(Wallet.createRandom().privateKey), first.batch) };
    const stream = client.openUpload();
    stream.sendBatch(forged);
    expect(await stream.ended).toMatchObject({
      code: status.UNAUTHENTICATED,
      metadata: { "x-detail-reason": "batch_signature" },
    });
    // The genuine resend is acknowledged again, and nothing was stored twice.
    await uploadAcked(client, first);
    expect((await relay.batches.head(signer.address))?.sequence).toBe(1);
    client.close();
  });

  it("refuses a resend whose content differs from the stored batch", async () => {
    const { signer, client } = await gateway();
    const first = await firstBatch(signer, [1, 2]);
    await uploadAcked(client, first);
    const other = await firstBatch(signer, [1, 2, 3]);
    const stream = client.openUpload();
    stream.sendBatch(other);
    expect(await stream.ended).toMatchObject({ code: status.ALREADY_EXISTS, metadata: { "x-detail-reason": "resend_differs" } });
    client.close();
  });

  it("refuses batches out of order, unlinked, or leaving a gateway_seq jump of 1,000", async () => {
    const { signer, client } = await gateway();
    const first = await firstBatch(signer, [1, 2]);
    await uploadAcked(client, first);
    const linked = documentedBatchHash(first.batch);
    const cases: [SignedWireBatch, number, string][] = [
      [
        await signedWireBatch(signer, { sequence: 3, previousBatchHash: linked, readings: wireReadings([3]) }),
        status.FAILED_PRECONDITION,
        "out_of_order",
      ],
      [
        await signedWireBatch(signer, { sequence: 2, previousBatchHash: new Uint8Array(32), readings: wireReadings([3]) }),
        status.FAILED_PRECONDITION,
        "broken_link",
      ],
      [
        await signedWireBatch(signer, { sequence: 2, previousBatchHash: linked, readings: wireReadings([1003, 1004]) }),
        status.FAILED_PRECONDITION,
        "gateway_seq_gap",
      ],
      [
        await signedWireBatch(signer, { sequence: 2, previousBatchHash: linked, readings: wireReadings([2, 3]) }),
        status.FAILED_PRECONDITION,
        "class_overlap",
      ],
    ];
    for (const [signed, code, reason] of cases) {
      const stream = client.openUpload();
      stream.sendBatch(signed);
      const refusal = await stream.ended;
      expect(refusal, reason).toMatchObject({ code, metadata: { "x-detail-reason": reason } });
    }
    const outOfOrder = cases[0]?.[0];
    expect(outOfOrder && (await refusalFor(client, outOfOrder))?.metadata["x-detail-expected-sequence"]).toBe("2");
    // The contiguous batch goes in.
    await uploadAcked(
      client,
      await signedWireBatch(signer, { sequence: 2, previousBatchHash: linked, readings: wireReadings([3, 4]) }),
    );
    client.close();
  });

  it("refuses readings that do not match the signed root", async () => {
    const { signer, client } = await gateway();
    const signed = await firstBatch(signer, [1, 2]);
    const tampered = {
      ...signed,
      batch: { ...signed.batch, readings: signed.batch.readings.map((r) => ({ ...r, value: r.value + 1 })) },
    };
    expect(await refusalFor(client, tampered)).toMatchObject({
      code: status.INVALID_ARGUMENT,
      metadata: { "x-detail-reason": "readings_root" },
    });
    client.close();
  });

  it("keeps the first proof of a batch and answers a second with the first one's verdict", async () => {
    const { signer, client } = await gateway();
    const first = await firstBatch(signer, [1]);
    await uploadAcked(client, first);
    const stream = client.openUpload();
    stream.sendProof(1, '{"pi_a":["1"]}', ["1", "2"]);
    const firstAck = await stream.next((answer) => answer.message === "proofAck");
    expect(firstAck.proofAck).toEqual({ sequence: 1, valid: false, alreadyRecorded: false });
    stream.sendProof(1, '{"pi_a":["2"]}', ["3", "4"]);
    await stream.next((answer) => answer.message === "proofAck" && answer.proofAck?.alreadyRecorded === true);
    stream.end();
    expect(await stream.ended).toBeUndefined();
    expect(await relay.proofs.get(signer.address, 1)).toMatchObject({ proof: '{"pi_a":["1"]}', publicSignals: ["1", "2"] });
    const withoutBatch = client.openUpload();
    withoutBatch.sendProof(9, "{}", []);
    expect(await withoutBatch.ended).toMatchObject({
      code: status.FAILED_PRECONDITION,
      metadata: { "x-detail-reason": "proof_without_batch" },
    });
    client.close();
  });

  it("refuses a message larger than its limit from its length, and one that does not decode", async () => {
    const { client } = await gateway();
    const oversized = client.openRawUpload();
    oversized.sendRaw(Buffer.alloc(maxReceiveMessageBytes(372) + 1));
    expect(await oversized.ended).toMatchObject({ code: status.RESOURCE_EXHAUSTED });
    const garbage = client.openRawUpload();
    garbage.sendRaw(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]));
    expect(await garbage.ended).toMatchObject({
      code: status.INVALID_ARGUMENT,
      metadata: { "x-detail-reason": "malformed_message" },
    });
    const empty = client.openRawUpload();
    empty.sendRaw(Buffer.alloc(0));
    expect(await empty.ended).toMatchObject({ code: status.INVALID_ARGUMENT, metadata: { "x-detail-reason": "empty_message" } });
    client.close();
  });

  it("counts every refusal by its reason", async () => {
    const { refusals } = await relay.snapshot();
    for (const reason of [
      "gateway_mismatch",
      "registration_clock",
      "batch_signature",
      "out_of_order",
      "gateway_seq_gap",
      "malformed_message",
    ]) {
      expect(refusals[reason], reason).toBeGreaterThan(0);
    }
  });
});

async function refusalFor(client: ProtoRelayClient, signed: SignedWireBatch): Promise<Refusal | undefined> {
  const stream = client.openUpload();
  stream.sendBatch(signed);
  return stream.ended;
}

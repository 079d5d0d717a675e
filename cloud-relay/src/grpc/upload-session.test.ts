import { BatchCommitment, compilePoseidon, fieldToBytes32, loadPoseidon } from "@intelledger/circuits";
import { batchHash, signBatch, UploadRequest, type Batch, type UploadResponse } from "@intelledger/proto/relay";
import { Wallet } from "ethers";
import { pino } from "pino";
import { afterAll, describe, expect, it, onTestFinished } from "vitest";
import { sqliteBackend } from "../../test/relay-store-backends.js";
import { BatchVerifier } from "../verification/batch-verifier.js";
import { VerificationPool } from "../verification/verification-pool.js";
import { GatewayChains, type GatewayChainDeps } from "./gateway-chain.js";
import { newUploadCounters } from "./upload-counters.js";
import { decodeUploadRequest, type UploadMessage } from "./upload-request-decoder.js";
import { UploadSession } from "./upload-session.js";
import { sampleReadings } from "../../test/sample-readings.js";

const poseidon = await compilePoseidon();

const gateway = new Wallet("0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a");
const verification = new VerificationPool({ threads: 1, poseidon });
afterAll(() => verification.close());

async function setup(checks: GatewayChainDeps["verification"] = verification) {
  const backend = await sqliteBackend();
  const store = await backend.open();
  onTestFinished(async () => {
    await store.close();
    await backend.destroy();
  });
  const ledger = store.batches;
  const chains = new GatewayChains({
    ledger,
    proofs: store.proofs,
    verifier: new BatchVerifier({ maxReadingsPerBatch: 372, maxUnaccountedReadings: 0 }),
    verification: checks,
    counters: newUploadCounters(),
    logger: pino({ level: "silent" }),
  });
  return { ledger, chains };
}

/** A stream's session and what it was sent or refused with. */
function session(chains: GatewayChains) {
  const sent: UploadResponse[] = [];
  const refusals: unknown[] = [];
  const { chain, release } = chains.acquire(gateway.address);
  const upload = new UploadSession(
    chain,
    { send: (response) => sent.push(response), refuse: (error) => refusals.push(error) },
    { requestId: "test-stream", logger: pino({ level: "silent" }), traceCarrier: {} },
  );
  return { upload, sent, refusals, release };
}

async function signed(
  sequence: number,
  previous: Uint8Array,
  first: number,
  sealedAtMs = 1,
): Promise<{ message: UploadMessage; hash: Uint8Array }> {
  const hasher = await loadPoseidon();
  const readings = sampleReadings(first, first + 1);
  const batch: Batch = {
    gatewayId: gateway.address,
    saltSeed: new Uint8Array(),
    sequence,
    previousBatchHash: previous,
    readingsRoot: fieldToBytes32(BatchCommitment.build(hasher, { gatewayId: gateway.address, readings }).root),
    sealedAtMs,
    readings,
    dataClass: 1,
    readingCount: 2,
    firstGatewaySeq: first,
    lastGatewaySeq: first + 1,
    streamBounds: [],
  };
  const bytes = UploadRequest.encode({
    message: { $case: "batch", value: { batch, signature: await signBatch(gateway, batch), prunedSignature: new Uint8Array() } },
  }).finish();
  return { message: decodeUploadRequest(Buffer.from(bytes)), hash: batchHash(batch) };
}

const acks = (sent: UploadResponse[]) =>
  sent.flatMap((response) => (response.message?.$case === "ack" ? [response.message.value.sequence] : []));

describe("upload sessions of one gateway", () => {
  it("racing on one sequence: one stored, the same batch acked on both, another batch refused precisely", async () => {
    const { ledger, chains } = await setup();
    const [a, b, c] = [session(chains), session(chains), session(chains)];
    const first = await signed(1, new Uint8Array(32), 1);
    const rival = await signed(1, new Uint8Array(32), 1, 2);
    a.upload.receive(first.message);
    b.upload.receive(first.message);
    c.upload.receive(rival.message);
    await Promise.all([a.upload.settled(), b.upload.settled(), c.upload.settled()]);
    expect(acks(a.sent)).toEqual([1]);
    expect(acks(b.sent)).toEqual([1]);
    expect(c.refusals).toMatchObject([{ kind: "already_exists", reason: "resend_differs" }]);
    expect((await ledger.head(gateway.address))?.sequence).toBe(1);
  });

  it("never works from a stale head: a stream goes on from a batch another stream stored", async () => {
    const { ledger, chains } = await setup();
    const [a, b] = [session(chains), session(chains)];
    const first = await signed(1, new Uint8Array(32), 1);
    a.upload.receive(first.message);
    await a.upload.settled();
    b.upload.receive((await signed(2, first.hash, 3)).message);
    await b.upload.settled();
    expect(b.refusals).toEqual([]);
    expect(acks(b.sent)).toEqual([2]);
    expect((await ledger.head(gateway.address))?.sequence).toBe(2);
  });

  it("ends a stream at its first refusal and answers nothing after it, while other streams go on", async () => {
    const { chains } = await setup();
    const [a, b] = [session(chains), session(chains)];
    const first = await signed(1, new Uint8Array(32), 1);
    a.upload.receive((await signed(2, new Uint8Array(32), 1)).message);
    a.upload.receive(first.message);
    b.upload.receive(first.message);
    expect(await a.upload.settled()).toBe(false);
    expect(await b.upload.settled()).toBe(true);
    expect(a.refusals).toMatchObject([{ reason: "out_of_order" }]);
    expect(a.sent).toEqual([]);
    expect(acks(b.sent)).toEqual([1]);
  });

  it("acknowledges a verified batch without waiting for a later one still being verified", async () => {
    let releaseLater = () => {};
    const laterVerified = new Promise<void>((resolve) => (releaseLater = resolve));
    let calls = 0;
    const { chains } = await setup({
      readings: async (encoded) => {
        const verdict = await verification.readings(encoded);
        if (++calls === 2) await laterVerified;
        return verdict;
      },
      proofValid: (proof, publicSignals) => verification.proofValid(proof, publicSignals),
    });
    const a = session(chains);
    const first = await signed(1, new Uint8Array(32), 1);
    a.upload.receive(first.message);
    a.upload.receive((await signed(2, first.hash, 3)).message);
    await expect.poll(() => acks(a.sent), { timeout: 10_000 }).toEqual([1]);
    releaseLater();
    expect(await a.upload.settled()).toBe(true);
    expect(acks(a.sent)).toEqual([1, 2]);
  });

  it("drops a gateway's chain once its last stream closed and everything was answered", async () => {
    const { chains } = await setup();
    const a = session(chains);
    a.upload.receive((await signed(1, new Uint8Array(32), 1)).message);
    a.release();
    await a.upload.settled();
    await new Promise((resolve) => setImmediate(resolve));
    expect(chains.size).toBe(0);
  });
});

// What every storage backend of the relay must do, as one suite each backend's test runs
// against a database of its own.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { RelayRefusal } from "../src/errors.js";
import { LeadershipLost } from "../src/store/anchor-ledger.js";
import type { LedgerBatch, LedgerGap } from "../src/store/batch-ledger.js";
import type { RelayStore } from "../src/store/relay-store.js";
import { madeUpLeaves } from "./made-up-leaves.js";
import type { StoreBackend } from "./relay-store-backends.js";

let gatewayCounter = 0;

/** A gateway of its own for each test, so tests share one database without seeing each other's rows. */
export function newGateway(): string {
  gatewayCounter++;
  return `0x${gatewayCounter.toString(16).padStart(40, "0")}`;
}

function hashOf(gatewayId: string, sequence: number): Uint8Array {
  const bytes = Buffer.alloc(32);
  bytes.write(gatewayId.slice(-16), "hex");
  bytes.writeUInt32BE(sequence, 28);
  return new Uint8Array(bytes);
}

/** A batch that extends the gateway's chain at `sequence`, covering gateway_seq first..last. */
export function batchOf(
  gatewayId: string,
  sequence: number,
  first: number,
  last: number,
  readingCount = last - first + 1,
): LedgerBatch {
  return {
    gatewayId,
    sequence,
    batchHash: hashOf(gatewayId, sequence),
    previousBatchHash: sequence === 1 ? new Uint8Array(32) : hashOf(gatewayId, sequence - 1),
    readingsRoot: new Uint8Array(32).fill(sequence),
    firstGatewaySeq: first,
    lastGatewaySeq: last,
    readingCount,
    dataClass: 1,
    sealedAtMs: 1_000 + sequence,
    receivedAtMs: 2_000 + sequence,
    signature: new Uint8Array(65).fill(7),
    payload: new Uint8Array([1, 2, 3]),
  };
}

async function refusalOf(work: Promise<unknown>): Promise<unknown> {
  try {
    await work;
  } catch (error) {
    return error;
  }
  throw new Error("expected a refusal");
}

export function describeRelayStore(name: string, backendOf: () => Promise<StoreBackend>): void {
  describe(`the relay store on ${name}`, () => {
    let backend: StoreBackend;
    let store: RelayStore;
    const others: RelayStore[] = [];

    beforeAll(async () => {
      backend = await backendOf();
      store = await backend.open("replica-a");
    });
    afterEach(async () => {
      await Promise.all(others.splice(0).map((other) => other.close()));
    });
    afterAll(async () => {
      await store?.close();
      await backend?.destroy();
    });

    async function another(holder: string): Promise<RelayStore> {
      const opened = await backend.open(holder);
      others.push(opened);
      return opened;
    }

    async function gatewayWith(batches: number): Promise<string> {
      const gatewayId = newGateway();
      await store.batches.touchGateway(gatewayId, 10);
      for (let sequence = 1; sequence <= batches; sequence++) {
        await store.batches.appendAll([{ batch: batchOf(gatewayId, sequence, sequence * 2 - 1, sequence * 2), gap: undefined }]);
      }
      return gatewayId;
    }

    it("stores a gateway's batches and reads them back as they were", async () => {
      const gatewayId = await gatewayWith(2);
      const stored = await store.batches.get(gatewayId, 2);
      expect(stored).toEqual(batchOf(gatewayId, 2, 3, 4));
      expect(await store.batches.head(gatewayId)).toEqual({ sequence: 2, batchHash: hashOf(gatewayId, 2), lastGatewaySeq: 4 });
      expect(await store.batches.containing(gatewayId, 3)).toMatchObject({ sequence: 2 });
      expect(await store.batches.containing(gatewayId, 9)).toBeUndefined();
      expect(await store.batches.get(gatewayId, 3)).toBeUndefined();
    });

    it("refuses a batch already stored by another writer with a precise refusal, storing nothing of the transaction", async () => {
      const gatewayId = await gatewayWith(1);
      const refusal = await refusalOf(
        store.batches.appendAll([
          { batch: batchOf(gatewayId, 2, 3, 4), gap: undefined },
          { batch: batchOf(gatewayId, 1, 1, 2), gap: undefined },
        ]),
      );
      expect(refusal).toBeInstanceOf(RelayRefusal);
      expect(refusal).toMatchObject({ kind: "aborted", reason: "stored_concurrently" });
      expect((await store.batches.head(gatewayId))?.sequence).toBe(1);
    });

    it("refuses a batch that does not extend the stored head, by sequence or by hash", async () => {
      const gatewayId = await gatewayWith(1);
      const skipping = await refusalOf(store.batches.appendAll([{ batch: batchOf(gatewayId, 3, 5, 6), gap: undefined }]));
      expect(skipping).toMatchObject({ reason: "stored_concurrently" });
      const forked = { ...batchOf(gatewayId, 2, 3, 4), previousBatchHash: new Uint8Array(32).fill(9) };
      expect(await refusalOf(store.batches.appendAll([{ batch: forked, gap: undefined }]))).toMatchObject({
        reason: "stored_concurrently",
      });
      expect((await store.batches.head(gatewayId))?.sequence).toBe(1);
    });

    it("stores a batch once when two writers race to store it, whichever wins", async () => {
      const gatewayId = await gatewayWith(1);
      // Replicas race on a shared database; on the embedded one, uploads of one relay do.
      const rival = backend.replicas ? await another("replica-b") : store;
      const entries = [2, 3].map((sequence) => ({
        batch: batchOf(gatewayId, sequence, sequence * 2 - 1, sequence * 2),
        gap: undefined,
      }));
      const outcomes = await Promise.allSettled([store.batches.appendAll(entries), rival.batches.appendAll(entries)]);
      expect(outcomes.filter((outcome) => outcome.status === "fulfilled")).toHaveLength(1);
      const rejected = outcomes.find((outcome) => outcome.status === "rejected");
      expect(rejected?.reason).toMatchObject({ reason: "stored_concurrently" });
      expect((await store.batches.head(gatewayId))?.sequence).toBe(3);
      expect((await store.batches.accounting(gatewayId)).accounted).toBe(6);
    });

    it("tells how far a gateway's batches reach and how many readings they account for", async () => {
      const gatewayId = newGateway();
      await store.batches.touchGateway(gatewayId, 0);
      expect(await store.batches.accounting(gatewayId)).toEqual({ frontier: 0, accounted: 0 });
      await store.batches.appendAll([
        { batch: batchOf(gatewayId, 1, 1, 10, 6), gap: undefined },
        { batch: { ...batchOf(gatewayId, 2, 2, 9, 4), dataClass: 2 }, gap: undefined },
      ]);
      expect(await store.batches.accounting(gatewayId)).toEqual({ frontier: 10, accounted: 10 });
      expect(await store.batches.classHead(gatewayId, 2)).toBe(9);
      expect(await store.batches.classHead(gatewayId, 3)).toBe(0);
      expect(await store.batches.classHead(gatewayId, 2, 1)).toBe(0);
      expect(await store.batches.classHead(gatewayId, 1, 1)).toBe(10);
      expect(await store.batches.batchHashOf(gatewayId, 2)).toEqual(hashOf(gatewayId, 2));
      expect(await store.batches.batchHashOf(gatewayId, 3)).toBeUndefined();
    });

    it("keeps a declared gap beside its pruned batch, and counts its readings apart", async () => {
      const gatewayId = newGateway();
      await store.batches.touchGateway(gatewayId, 0);
      const before = await store.batches.totals();
      const gap: LedgerGap = {
        gatewayId,
        batchSequence: 1,
        reason: "disk_quota",
        readingCount: 5,
        firstGatewaySeq: 1,
        lastGatewaySeq: 5,
        pruned: new Uint8Array([4, 5]),
        prunedSignature: new Uint8Array(65).fill(3),
        receivedAtMs: 3,
      };
      await store.batches.appendAll([{ batch: { ...batchOf(gatewayId, 1, 1, 5), payload: new Uint8Array(0) }, gap }]);
      expect(await store.batches.gaps(gatewayId)).toEqual([gap]);
      const after = await store.batches.totals();
      expect(after.gaps - before.gaps).toBe(1);
      expect(after.readingsInGaps - before.readingsInGaps).toBe(5);
      expect(after.batches - before.batches).toBe(1);
      expect(after.readings - before.readings).toBe(0);
    });

    it("keeps the first proof of a batch", async () => {
      const gatewayId = await gatewayWith(1);
      const proof = { gatewayId, batchSequence: 1, valid: false, proof: "first", publicSignals: ["1"], verifiedAtMs: 1 };
      expect(await store.proofs.record(proof)).toBe(true);
      expect(await store.proofs.record({ ...proof, valid: true, proof: "second" })).toBe(false);
      expect(await store.proofs.get(gatewayId, 1)).toEqual(proof);
    });

    it("dates a moment of a gateway's boot by the relay's clock", async () => {
      const gatewayId = await gatewayWith(0);
      await store.boots.record(gatewayId, 3, 1_000, 50_000);
      expect(await store.boots.relayTimeOf(gatewayId, 3, 2_500)).toBe(51_500);
      expect(await store.boots.relayTimeOf(gatewayId, 4, 0)).toBeUndefined();
    });

    it("anchors batches in arrival order, assigns each its leaf, and follows the anchor to confirmation", async () => {
      const term = await store.leadership.claim();
      expect(term).toBeGreaterThan(0);
      // Settle whatever earlier tests left unanchored, so this anchor holds exactly this gateway's batches.
      const leftover = await store.anchors.unanchored(10_000);
      if (leftover.length > 0)
        await store.anchors.createPending(new Uint8Array(32).fill(0xee), madeUpLeaves(leftover), 1, term as number);
      const gatewayId = await gatewayWith(3);
      const waiting = await store.anchors.unanchored(10);
      expect(waiting.map((batch) => batch.sequence)).toEqual([1, 2, 3]);
      const root = new Uint8Array(32).fill(0xaa);
      const node = (fill: number) => new Uint8Array(32).fill(fill);
      const leaves = waiting.map((batch, position) => ({ ...batch, siblings: [node(position + 1), node(0xcd)] }));
      const anchor = await store.anchors.createPending(root, leaves, 100, term as number);
      expect(anchor).toMatchObject({ status: "pending", batchCount: 3, readingCount: 6, fencingTerm: term });
      expect(await store.batches.anchorOf(gatewayId, 3)).toEqual({
        anchorId: anchor.id,
        position: 2,
        siblings: [node(3), node(0xcd)],
      });
      expect((await store.batches.byAnchor(anchor.id)).map((batch) => batch.sequence)).toEqual([1, 2, 3]);
      expect(await store.anchors.unanchored(10)).toEqual([]);
      await store.anchors.markSubmitted(anchor.id, { hash: "0xabc", nonce: 4 }, 200, term as number);
      expect((await store.anchors.unsettled()).map((unsettled) => unsettled.id)).toContain(anchor.id);
      const before = await store.anchors.totals();
      await store.anchors.markConfirmed(anchor.id, { number: 77, hash: "0xblock" }, 300, term as number);
      expect(await store.anchors.byId(anchor.id)).toMatchObject({
        status: "confirmed",
        txHash: "0xabc",
        txNonce: 4,
        blockNumber: 77,
        blockHash: "0xblock",
      });
      expect((await store.anchors.confirmedSince(77)).map((confirmed) => confirmed.id)).toContain(anchor.id);
      expect(await store.anchors.confirmedSince(78)).toEqual([]);
      const after = await store.anchors.totals();
      expect(after.confirmed - before.confirmed).toBe(1);
      expect(after.readingsAnchored - before.readingsAnchored).toBe(6);
      expect(after.lastConfirmedAtMs).toBe(300);
    });

    it("hands the lead to another replica once the leader gives it up, and refuses the old term's anchor writes (the fencing token)", async () => {
      const term = (await store.leadership.claim()) as number;
      await gatewayWith(1);
      const anchor = await store.anchors.createPending(
        new Uint8Array(32).fill(0xbb),
        madeUpLeaves(await store.anchors.unanchored(100)),
        1,
        term,
      );
      const rival = await another("replica-b");
      await store.leadership.close();
      const newer = await rival.leadership.claim();
      expect(newer).toBeGreaterThan(term);
      expect(await store.anchors.leader()).toMatchObject({ term: newer, holder: "replica-b" });
      expect((await store.anchors.recent(1))[0]?.id).toBe(anchor.id);
      await expect(store.anchors.markSubmitted(anchor.id, { hash: "0xold", nonce: 1 }, 3, term)).rejects.toBeInstanceOf(
        LeadershipLost,
      );
      await expect(store.anchors.createPending(new Uint8Array(32).fill(0xcc), [], 3, term)).rejects.toBeInstanceOf(
        LeadershipLost,
      );
      expect(await store.anchors.byId(anchor.id)).toMatchObject({ status: "pending", txHash: undefined });
      await rival.anchors.markSubmitted(anchor.id, { hash: "0xnew", nonce: 1 }, 3, newer as number);
      expect(await store.anchors.byId(anchor.id)).toMatchObject({ status: "submitted", txHash: "0xnew", fencingTerm: newer });
    });

    it("lists the fleet: state, last batch, backlog and unanchored batches of each gateway", async () => {
      const now = 10_000_000;
      const gatewayId = await gatewayWith(2);
      await store.batches.touchGateway(gatewayId, now, { address: "10.1.2.3", softwareVersion: "0.1.0", clockOffsetMs: -250 });
      await store.batches.recordHeartbeat(gatewayId, now, { batches: 500, readings: 20_000 });
      const silent = await gatewayWith(0);
      const shown = await store.fleet.show(gatewayId, now + 1_000);
      expect(shown).toMatchObject({
        gatewayId,
        state: "lagging",
        lastSeenAtMs: now,
        address: "10.1.2.3",
        lastSequence: 2,
        lastBatchAtMs: 2_002,
        backlogBatches: 500,
        backlogReadings: 20_000,
      });
      expect(shown?.unanchoredBatches).toBeGreaterThanOrEqual(0);
      expect(await store.fleet.show(silent, now)).toMatchObject({ state: "offline", lastSequence: undefined });
      expect((await store.fleet.list(now)).map((gateway) => gateway.gatewayId)).toEqual(
        expect.arrayContaining([gatewayId, silent]),
      );
      expect(await store.fleet.show(newGateway(), now)).toBeUndefined();
    });

    it("takes a write when asked for its health, and keeps everything across a reopen", async () => {
      await store.checkWrites(Date.now());
      const gatewayId = await gatewayWith(2);
      const reopened = await another("replica-a-again");
      expect((await reopened.batches.head(gatewayId))?.sequence).toBe(2);
    });
  });
}

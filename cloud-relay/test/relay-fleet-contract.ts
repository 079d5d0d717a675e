// What every storage backend of the relay must do for fleet management: what gateways say
// of themselves, operators' revocations, allowlists and rate limits (seen by every replica),
// a gateway's batches with their state, and an operator's anchoring retry.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RelayStore } from "../src/store/relay-store.js";
import { madeUpLeaves } from "./made-up-leaves.js";
import type { StoreBackend } from "./relay-store-backends.js";
import { batchOf, newGateway } from "./relay-store-contract.js";

export function describeFleetStore(name: string, backendOf: () => Promise<StoreBackend>): void {
  describe(`the relay's fleet records on ${name}`, () => {
    let backend: StoreBackend;
    let store: RelayStore;
    let replica: RelayStore;

    beforeAll(async () => {
      backend = await backendOf();
      store = await backend.open("replica-a");
      // SQLite has one relay: the second store is that relay after a restart.
      replica = await backend.open("replica-b");
    });
    afterAll(async () => {
      await replica?.close();
      await store?.close();
      await backend?.destroy();
    });

    async function gatewayWith(batches: number, seenAtMs = 10): Promise<string> {
      const gatewayId = newGateway();
      await store.batches.touchGateway(gatewayId, seenAtMs);
      for (let sequence = 1; sequence <= batches; sequence++) {
        await store.batches.appendAll([{ batch: batchOf(gatewayId, sequence, sequence * 2 - 1, sequence * 2), gap: undefined }]);
      }
      return gatewayId;
    }

    it("shows first and last seen, software version, clock offset and proof lag, keeping what a later call did not say", async () => {
      const gatewayId = await gatewayWith(3, 1_000);
      await store.batches.touchGateway(gatewayId, 5_000, { address: "10.0.0.9", softwareVersion: "1.4.2", clockOffsetMs: 1_250 });
      await store.batches.touchGateway(gatewayId, 6_000);
      const proof = { gatewayId, batchSequence: 1, valid: true, proof: "{}", publicSignals: ["1"], verifiedAtMs: 1 };
      expect(await store.fleet.show(gatewayId, 6_000)).toMatchObject({
        proofLagBatches: undefined,
        lastProvenSequence: undefined,
      });
      await store.proofs.record(proof);
      expect(await replica.fleet.show(gatewayId, 6_000)).toMatchObject({
        firstSeenAtMs: 1_000,
        lastSeenAtMs: 6_000,
        address: "10.0.0.9",
        softwareVersion: "1.4.2",
        clockOffsetMs: 1_250,
        lastSequence: 3,
        lastProvenSequence: 1,
        proofLagBatches: 2,
        revokedAtMs: undefined,
        allowedCidrs: undefined,
        rateLimit: undefined,
      });
      await store.batches.touchGateway(gatewayId, 7_000, { clockOffsetMs: -40 });
      expect(await store.fleet.show(gatewayId, 7_000)).toMatchObject({ clockOffsetMs: -40, softwareVersion: "1.4.2" });
    });

    it("revokes a gateway for every replica, keeping the first revocation, and reinstates it", async () => {
      const gatewayId = await gatewayWith(0);
      expect(await replica.access.get(gatewayId)).toBeUndefined();
      expect(await store.access.revoke(gatewayId, 100, "stolen")).toMatchObject({ revokedAtMs: 100, revokedReason: "stolen" });
      expect(await store.access.revoke(gatewayId, 200, "again")).toMatchObject({ revokedAtMs: 100, revokedReason: "stolen" });
      expect(await replica.access.get(gatewayId)).toMatchObject({ gatewayId, revokedAtMs: 100, updatedAtMs: 200 });
      expect(await replica.fleet.show(gatewayId, 200)).toMatchObject({ revokedAtMs: 100, revokedReason: "stolen" });
      expect(await replica.access.reinstate(gatewayId, 300)).toMatchObject({ revokedAtMs: undefined, revokedReason: undefined });
      expect(await store.access.get(gatewayId)).toMatchObject({ revokedAtMs: undefined });
    });

    it("revokes a gateway the relay never heard from, ahead of its first call", async () => {
      const unseen = newGateway();
      await store.access.revoke(unseen, 100, undefined);
      expect(await replica.access.get(unseen)).toMatchObject({ revokedAtMs: 100, revokedReason: undefined });
      expect(await replica.fleet.show(unseen, 100)).toBeUndefined();
    });

    it("keeps a gateway's allowlist and rate limit apart, and lifts each on its own", async () => {
      const gatewayId = await gatewayWith(0);
      await store.access.allowFrom(gatewayId, ["10.0.0.0/8", "2001:db8::/32"], 1);
      await replica.access.limitRate(gatewayId, { batchesPerSecond: 0.5, burst: 3 }, 2);
      expect(await store.fleet.show(gatewayId, 2)).toMatchObject({
        allowedCidrs: ["10.0.0.0/8", "2001:db8::/32"],
        rateLimit: { batchesPerSecond: 0.5, burst: 3 },
      });
      await store.access.allowFrom(gatewayId, undefined, 3);
      expect(await replica.access.get(gatewayId)).toMatchObject({
        allowedCidrs: undefined,
        rateLimit: { batchesPerSecond: 0.5, burst: 3 },
      });
      await store.access.limitRate(gatewayId, undefined, 4);
      expect(await replica.access.get(gatewayId)).toMatchObject({ allowedCidrs: undefined, rateLimit: undefined });
    });

    it("lists a gateway's batches newest first with their state, proof and anchor, a page at a time; a retry hurries sent anchors", async () => {
      const term = (await store.leadership.claim()) as number;
      const leftover = await store.anchors.unanchored(10_000);
      if (leftover.length > 0) await store.anchors.createPending(new Uint8Array(32).fill(0xe1), madeUpLeaves(leftover), 1, term);
      const gatewayId = await gatewayWith(4);
      const [first, second, third] = await store.anchors.unanchored(3);
      const confirmed = await store.anchors.createPending(new Uint8Array(32).fill(0xe2), madeUpLeaves([first!]), 10, term);
      await store.anchors.markSubmitted(confirmed.id, { hash: "0xconfirmed", nonce: 1 }, 11, term);
      await store.anchors.markConfirmed(confirmed.id, { number: 9, hash: "0xblock" }, 12, term);
      const sent = await store.anchors.createPending(new Uint8Array(32).fill(0xe3), madeUpLeaves([second!, third!]), 20, term);
      await store.anchors.markSubmitted(sent.id, { hash: "0xsent", nonce: 2 }, 21, term);
      await store.proofs.record({ gatewayId, batchSequence: 2, valid: false, proof: "{}", publicSignals: [], verifiedAtMs: 1 });

      const listed = await replica.batchListing.list(gatewayId, { limit: 10 });
      expect(listed.map((batch) => [batch.sequence, batch.state, batch.proof])).toEqual([
        [4, "stored", "none"],
        [3, "anchoring", "none"],
        [2, "anchoring", "invalid"],
        [1, "anchored", "none"],
      ]);
      expect(listed[3]).toMatchObject({
        anchorId: confirmed.id,
        transactionHash: "0xconfirmed",
        blockNumber: 9,
        readingCount: 2,
        firstGatewaySeq: 1,
        lastGatewaySeq: 2,
        pruned: false,
      });
      expect(listed[0]).toMatchObject({ anchorId: undefined, transactionHash: undefined });
      const page = await replica.batchListing.list(gatewayId, { beforeSequence: 3, limit: 1 });
      expect(page.map((batch) => batch.sequence)).toEqual([2]);
      expect(await replica.batchListing.list(newGateway(), { limit: 10 })).toEqual([]);

      const hurried = await replica.anchors.hurrySubmitted();
      expect(hurried.map((anchor) => anchor.id)).toEqual([sent.id]);
      expect(await store.anchors.byId(sent.id)).toMatchObject({ status: "submitted", submittedAtMs: 0, txHash: "0xsent" });
      expect(await store.anchors.byId(confirmed.id)).toMatchObject({ status: "confirmed", submittedAtMs: 11 });
    });
  });
}

import { PruneReason, sealedBatchHeader, type Pruned } from "@intelledger/proto/relay";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { outboxFixture, standInProof, type OutboxFixture } from "../../test/outbox-fixture.js";
import { BatchGoneError, BatchOutbox, BrokenChainError } from "./batch-outbox.js";
import { IllegalBatchTransition } from "./batch-state.js";

let nowMs = 1_800_000_000_000;
let fixture: OutboxFixture;

beforeEach(() => {
  fixture = outboxFixture(() => nowMs);
});

afterEach(() => fixture.db.close());

const record: Pruned = { reason: PruneReason.PRUNE_REASON_DROPPED, prunedAtMs: 5, rollups: [] };
const stateOf = (sequence: number) => fixture.outbox.get(sequence)?.state;

describe("the batch outbox", () => {
  it("seals only the batch that extends its chain by one, and announces it", async () => {
    const announced: number[] = [];
    fixture.outbox.on("sealed", (batch) => announced.push(batch.sequence));
    const first = await fixture.seal(3);
    const second = await fixture.seal(2);
    expect([first.state, second.state]).toEqual(["sealed", "sealed"]);
    expect(second.previousBatchHash).toEqual(first.batchHash);
    expect(announced).toEqual([1, 2]);

    const { identity, outbox } = fixture;
    const place = { gatewayId: identity.address, readingsRoot: new Uint8Array(32), sealedAtMs: nowMs, dataClass: 1 };
    const resealed = sealedBatchHeader({ ...place, sequence: 2, previousBatchHash: first.batchHash }, [{ gatewaySeq: 9 }]);
    expect(() => outbox.seal(resealed, new Uint8Array(65))).toThrow(BrokenChainError);
    const unlinked = sealedBatchHeader({ ...place, sequence: 3, previousBatchHash: first.batchHash }, [{ gatewaySeq: 9 }]);
    expect(() => outbox.seal(unlinked, new Uint8Array(65))).toThrow(/does not link to the gateway's last batch/);
    const foreign = sealedBatchHeader(
      { ...place, gatewayId: "0x00000000000000000000000000000000000000aa", ...outbox.nextPlace() },
      [{ gatewaySeq: 9 }],
    );
    expect(() => outbox.seal(foreign, new Uint8Array(65))).toThrow(BrokenChainError);
    expect(outbox.last()?.sequence).toBe(2);
    expect(announced).toEqual([1, 2]);
  });

  it("writes the relay's acks when flushed, acknowledging every batch up to the last one acked", async () => {
    for (let i = 0; i < 3; i++) await fixture.seal(2);
    const { outbox } = fixture;
    outbox.acknowledge(1);
    outbox.acknowledge(2);
    expect(stateOf(1)).toBe("sealed");
    outbox.flushAcknowledgements();
    expect([stateOf(1), stateOf(2), stateOf(3)]).toEqual(["acknowledged", "acknowledged", "sealed"]);
    expect(outbox.get(1)?.ackedAtMs).toBe(nowMs);
    // An ack the relay repeats after a resend changes nothing.
    nowMs += 1_000;
    outbox.acknowledgeThrough(2);
    expect(outbox.get(1)?.ackedAtMs).toBe(nowMs - 1_000);
    expect(outbox.backlog()).toEqual({ batches: 1, readings: 2, oldestSealedAtMs: nowMs - 1_000 });
    expect(outbox.totals()).toEqual({ sealed: 3, acked: 2, sealedReadings: 6 });
    expect(() => outbox.acknowledge(4)).toThrow(IllegalBatchTransition);
    expect(() => outbox.acknowledgeThrough(4)).toThrow("batch 4 cannot acknowledge: there is no such batch");
  });

  it("releases only what the relay holds, deleting its readings, all or none", async () => {
    const acked = await fixture.seal(3);
    const sealed = await fixture.seal(2);
    const { outbox, readings } = fixture;
    outbox.acknowledgeThrough(1);
    expect(() => outbox.release([outbox.get(1)!, sealed])).toThrow("batch 2 cannot release when sealed");
    // The refused release undid the first one too.
    expect([stateOf(1), readings.count()]).toEqual(["acknowledged", 5]);

    expect(outbox.releasable(nowMs + 1, 10).map((batch) => batch.sequence)).toEqual([1]);
    expect(outbox.releasable(nowMs, 10)).toEqual([]);
    outbox.release(outbox.releasable(nowMs + 1, 10));
    expect(outbox.get(1)).toMatchObject({ state: "released", releasedAtMs: nowMs });
    expect(readings.count()).toBe(2);
    // Read before the release: its state is stale, so the move is refused.
    expect(() => outbox.release([{ ...acked, state: "acknowledged" }])).toThrow("batch 1 cannot release when released");
  });

  it("prunes a batch the relay does not hold into its signed record, which goes in place of the readings", async () => {
    await fixture.seal(3, 1);
    await fixture.seal(2, 0);
    await fixture.seal(4, 1);
    const { outbox, readings, identity } = fixture;
    expect(outbox.pruneCandidate(false)?.sequence).toBe(1);
    const victim = outbox.pruneCandidate(true)!;
    expect(victim.sequence).toBe(2);
    const signature = new Uint8Array(65).fill(9);
    outbox.prune(victim, record, signature);
    expect(stateOf(2)).toBe("pruned");
    expect(readings.count()).toBe(7);
    expect(outbox.backlog()).toMatchObject({ batches: 3, readings: 7 });

    const sent = outbox.outgoing(2)!;
    expect(sent.batch).toMatchObject({ gatewayId: identity.address, sequence: 2, readingCount: 2, readings: [] });
    expect(sent.pruned).toEqual(record);
    expect(sent.prunedSignature).toEqual(signature);
    expect(outbox.outgoing(3)?.batch?.readings.map((reading) => reading.gatewaySeq)).toEqual([6, 7, 8, 9]);
    expect(outbox.outgoing(4)).toBeUndefined();

    outbox.acknowledgeThrough(2);
    expect([stateOf(1), stateOf(2)]).toEqual(["acknowledged", "gap-acknowledged"]);
    expect(() => outbox.prune(outbox.get(1)!, record, signature)).toThrow("batch 1 cannot prune when acknowledged");
    expect(readings.count()).toBe(7);
    // A pruned batch keeps its record for a resend; a released one has nothing left to send.
    expect(outbox.outgoing(2)?.pruned).toEqual(record);
    outbox.release([outbox.get(1)!]);
    expect(() => outbox.outgoing(1)).toThrow(BatchGoneError);
  });

  it("proves batches whose readings are here, once, and records the relay's verdict only on a proof it has", async () => {
    for (let i = 0; i < 4; i++) await fixture.seal(1);
    const { outbox } = fixture;
    outbox.prune(outbox.get(2)!, record, new Uint8Array(65));
    outbox.acknowledgeThrough(3);
    outbox.release([outbox.get(3)!]);
    expect(outbox.toProve(10)).toEqual([1, 4]);

    const proved: number[] = [];
    outbox.on("proved", (sequence) => proved.push(sequence));
    outbox.recordProof(1, standInProof(1));
    expect(proved).toEqual([1]);
    expect(outbox.toProve(10)).toEqual([4]);
    expect(() => outbox.recordProof(1, standInProof(1))).toThrow("batch 1 is proved already");
    expect(() => outbox.recordProof(9, standInProof(9))).toThrow(/never sealed/);
    expect(() => outbox.recordProofVerdict(4, true)).toThrow(/never proved/);

    outbox.recordProof(4, standInProof(4));
    expect(outbox.proofsToUpload(1, 10).map((proof) => proof.sequence)).toEqual([1]);
    expect(outbox.proofsToUpload(4, 10)[1]).toMatchObject({ sequence: 4, publicSignals: ["4", "7"] });
    outbox.recordProofVerdict(1, true);
    outbox.recordProofVerdict(4, false);
    expect(outbox.proofsToUpload(4, 10)).toEqual([]);
    expect(outbox.proofTotals()).toEqual({ proved: 2, uploaded: 2, invalid: 1 });
  });

  it("picks up its chain where the database left it", async () => {
    await fixture.seal(2);
    const last = await fixture.seal(2);
    const reopened = new BatchOutbox({ db: fixture.db, gatewayId: fixture.identity.address, readings: fixture.readings });
    expect(reopened.nextPlace()).toEqual({ sequence: 3, previousBatchHash: last.batchHash });
  });
});

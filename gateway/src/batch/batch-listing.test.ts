import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { outboxFixture, standInProof, type OutboxFixture } from "../../test/outbox-fixture.js";
import { BatchListing } from "./batch-listing.js";

let fixture: OutboxFixture;

beforeEach(() => {
  fixture = outboxFixture(() => 1_800_000_000_000);
});

afterEach(() => fixture.db.close());

describe("the batch listing", () => {
  it("follows each batch to the chain: sealed, proved, acknowledged, anchored up to the newest anchored one", async () => {
    for (const readings of [3, 2, 4, 1]) await fixture.seal(readings);
    const { outbox, db } = fixture;
    outbox.recordProof(2, standInProof(2));
    outbox.recordProof(3, standInProof(3));
    outbox.acknowledgeThrough(3);
    outbox.recordProofVerdict(3, true);
    const anchored = { sequence: 2, transactionHash: `0x${"ab".repeat(32)}`, blockNumber: 7, confirmedAtMs: 5 };
    const listing = new BatchListing(db);

    const batches = listing.list({ limit: 10 }, anchored);
    expect(batches.map((batch) => [batch.sequence, batch.stage, batch.readingCount])).toEqual([
      [4, "sealed", 1],
      [3, "acknowledged", 4],
      [2, "anchored", 2],
      [1, "anchored", 3],
    ]);
    expect(batches[1]?.proof).toMatchObject({ present: true, valid: true });
    expect(batches[3]?.proof).toEqual({ present: false });
    expect(batches[2]?.anchor).toEqual({ transactionHash: anchored.transactionHash, blockNumber: 7, confirmedAtMs: 5 });
    expect(batches[3]?.anchor).toBeUndefined();

    // Paging back, and before any anchor a proved batch says so.
    expect(listing.list({ limit: 2, beforeSequence: 4 }, undefined).map((batch) => [batch.sequence, batch.stage])).toEqual([
      [3, "acknowledged"],
      [2, "acknowledged"],
    ]);
    outbox.recordProof(4, standInProof(4));
    expect(listing.list({ limit: 1 }, anchored)[0]?.stage).toBe("proved");
  });
});

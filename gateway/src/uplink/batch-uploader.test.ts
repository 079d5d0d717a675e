import { status } from "@grpc/grpc-js";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { outboxFixture, type OutboxFixture } from "../../test/outbox-fixture.js";
import { StubRelay, type BatchVerdict } from "../../test/stub-relay.js";
import { GatewayClock } from "../clock/gateway-clock.js";
import { Backoff } from "./backoff.js";
import { BatchUploader } from "./batch-uploader.js";

let relay: StubRelay;
let fixture: OutboxFixture;
let uploader: BatchUploader | undefined;

beforeEach(async () => {
  relay = new StubRelay();
  await relay.start();
  fixture = outboxFixture();
});

afterEach(async () => {
  await uploader?.stop();
  uploader = undefined;
  relay.stop();
  fixture.db.close();
});

function startUploader(backoff: { initialDelayMs: number; maxDelayMs: number; random?: () => number }, refusedRetryMs = 60_000) {
  uploader = new BatchUploader({
    client: relay.client(),
    identity: fixture.identity,
    outbox: fixture.outbox,
    clock: new GatewayClock({ boot: 1 }),
    backoff: new Backoff(backoff),
    heartbeatIntervalMs: 60_000,
    refusedRetryMs,
    logger: pino({ level: "silent" }),
  });
  uploader.start();
  return uploader;
}

/** Time from each registration to the next. */
const gapsBetweenRegistrations = () =>
  relay.registrations.slice(1).map((registration, i) => registration.atMs - (relay.registrations[i]?.atMs ?? 0));

/** Refuses the batch with `sequence` with `verdict` the first `times` times it arrives. */
function refuseFirst(sequence: number, times: number, verdict: Exclude<BatchVerdict, "store">) {
  let refused = 0;
  relay.judge = (signed) => (signed.batch?.sequence === sequence && refused++ < times ? verdict : "store");
}

describe("the batch uploader", () => {
  it("uploads the backlog in order and, after the stream breaks, resumes where the relay's record ends", async () => {
    for (let i = 0; i < 6; i++) await fixture.seal(i + 1);
    refuseFirst(4, 1, { code: status.UNAVAILABLE, details: "relay restarting" });
    const running = startUploader({ initialDelayMs: 10, maxDelayMs: 50 });
    await vi.waitFor(() => expect(relay.stored).toHaveLength(6), { timeout: 10_000 });
    expect(relay.stored.map((signed) => signed.batch?.sequence)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(relay.stored[5]?.batch?.readings).toHaveLength(6);
    expect(relay.registrations).toHaveLength(2);
    await vi.waitFor(() => expect(running.status).toMatchObject({ state: "uploading", batchesAcked: 6, readingsAcked: 21 }));
    // A batch sealed now goes up at once.
    await fixture.seal(2);
    running.notify();
    await vi.waitFor(() => expect(relay.stored).toHaveLength(7));
    await running.stop();
    expect(running.status.state).toBe("stopped");
    expect(fixture.outbox.from(1, 10).every((batch) => batch.state === "acknowledged")).toBe(true);
  });

  it("stops on a final refusal, reports it, and asks again only after the refusal interval", async () => {
    for (let i = 0; i < 3; i++) await fixture.seal(1);
    let fixed = false;
    relay.judge = (signed) =>
      signed.batch?.sequence === 2 && !fixed
        ? { code: status.INVALID_ARGUMENT, details: "batch 2 declares 0 readings" }
        : "store";
    const running = startUploader({ initialDelayMs: 10, maxDelayMs: 50 }, 800);
    await vi.waitFor(() => expect(running.status.state).toBe("refused"));
    expect(running.status.lastError).toMatch(/INVALID_ARGUMENT: batch 2 declares 0 readings/);
    // No hot loop: with a 10 ms backoff, a retrying uplink would have registered dozens of times by now.
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(relay.registrations).toHaveLength(1);
    expect(relay.stored).toHaveLength(1);
    fixed = true;
    await vi.waitFor(() => expect(relay.stored).toHaveLength(3), { timeout: 5_000 });
    expect(gapsBetweenRegistrations()[0]).toBeGreaterThanOrEqual(790);
    expect(running.status).toMatchObject({ state: "uploading", lastError: undefined });
  });

  it("stops when the relay's record is not this gateway's chain", async () => {
    await fixture.seal(1);
    const other = outboxFixture();
    await other.seal(1);
    relay.stored.push(other.outbox.outgoing(1)!);
    const running = startUploader({ initialDelayMs: 10, maxDelayMs: 50 });
    await vi.waitFor(() => expect(running.status.state).toBe("refused"));
    expect(running.status.lastError).toMatch(/the relay's last batch differs/);
    expect(fixture.outbox.get(1)?.state).toBe("sealed");
    other.db.close();
  });

  it("stays away as long as an overloaded relay asks", async () => {
    await fixture.seal(1);
    refuseFirst(1, 1, { code: status.RESOURCE_EXHAUSTED, details: "relay at capacity", metadata: { "retry-after-ms": "600" } });
    startUploader({ initialDelayMs: 10, maxDelayMs: 50 });
    await vi.waitFor(() => expect(relay.stored).toHaveLength(1), { timeout: 5_000 });
    expect(gapsBetweenRegistrations()[0]).toBeGreaterThanOrEqual(595);
  });

  it("stops when the relay keeps refusing for lack of room without saying when to come back", async () => {
    await fixture.seal(1);
    relay.judge = () => ({ code: status.RESOURCE_EXHAUSTED, details: "message larger than the relay's limit" });
    const running = startUploader({ initialDelayMs: 10, maxDelayMs: 60 });
    await vi.waitFor(() => expect(running.status.state).toBe("refused"));
    expect(relay.registrations).toHaveLength(2);
    // It waited longer than a failure's backoff would have: at least half the maximum.
    expect(gapsBetweenRegistrations()[0]).toBeGreaterThanOrEqual(29);
    expect(running.status.lastError).toMatch(/RESOURCE_EXHAUSTED/);
  });

  it("registers again at once when the relay's record moved on, and resumes from its answer", async () => {
    for (let i = 0; i < 5; i++) await fixture.seal(1);
    // Batch 3 reaches the relay by another way (an earlier stream it had not finished) as this stream sends it.
    let raced = false;
    relay.judge = (signed) => {
      if (signed.batch?.sequence !== 3 || raced) return "store";
      raced = true;
      relay.stored.push(signed);
      return { code: status.FAILED_PRECONDITION, details: "batch 3 is out of order; the relay expects 4" };
    };
    // A backoff would wait at least a second, so a quick second registration was a resync.
    const running = startUploader({ initialDelayMs: 1_000, maxDelayMs: 1_000, random: () => 1 });
    await vi.waitFor(() => expect(relay.stored).toHaveLength(5), { timeout: 5_000 });
    expect(relay.registrations).toHaveLength(2);
    expect(gapsBetweenRegistrations()[0]).toBeLessThan(900);
    expect(relay.stored.map((signed) => signed.batch?.sequence)).toEqual([1, 2, 3, 4, 5]);
    await vi.waitFor(() => expect(running.status.batchesAcked).toBe(4));
  });

  it("backs off further with each failure while the relay is unreachable", async () => {
    relay.refuseRegistration = { code: status.UNAVAILABLE, details: "no relay" };
    const running = startUploader({ initialDelayMs: 40, maxDelayMs: 200, random: () => 1 });
    await vi.waitFor(() => expect(relay.registrations.length).toBeGreaterThanOrEqual(5), { timeout: 5_000 });
    expect(running.status.state).toMatch(/waiting|connecting/);
    const gaps = gapsBetweenRegistrations();
    expect(gaps[0]).toBeGreaterThanOrEqual(38);
    expect(gaps[1]).toBeGreaterThanOrEqual(78);
    expect(gaps[2]).toBeGreaterThanOrEqual(158);
    expect(gaps[3]).toBeGreaterThanOrEqual(198);
    relay.refuseRegistration = undefined;
    await fixture.seal(1);
    await vi.waitFor(() => expect(relay.stored).toHaveLength(1), { timeout: 5_000 });
  });
});

import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { outboxFixture, standInProof, type OutboxFixture } from "../../test/outbox-fixture.js";
import { OutboxScheduler, type OutboxSchedule } from "./outbox-scheduler.js";

const schedule: OutboxSchedule = {
  sealIntervalMs: 100,
  proveIntervalMs: 500,
  storageIntervalMs: 1_000,
  acknowledgementIntervalMs: 250,
};

let fixture: OutboxFixture;

beforeEach(() => {
  fixture = outboxFixture();
  vi.useFakeTimers({ toFake: ["setInterval", "clearInterval", "setTimeout", "clearTimeout"] });
});

afterEach(() => {
  vi.useRealTimers();
  fixture.db.close();
});

/** Work that counts its runs; sealing takes `sealMs` of (fake) time. */
function countingWork(sealMs = 0) {
  const runs = { seal: 0, prove: 0, storage: 0, notify: 0 };
  return {
    runs,
    sealer: {
      sealDue: async () => {
        runs.seal++;
        await new Promise((resolve) => setTimeout(resolve, sealMs));
        return 0;
      },
    },
    prover: { queueDue: () => void runs.prove++ },
    storage: { enforce: () => Promise.resolve(void runs.storage++) },
    uploader: { notify: () => void runs.notify++ },
  };
}

describe("the outbox scheduler", () => {
  it("runs sealing, proving and the disk quota each on its interval, never overlapping itself", async () => {
    const work = countingWork(250);
    const scheduler = new OutboxScheduler({
      work: { outbox: fixture.outbox, ...work },
      schedule,
      logger: pino({ level: "silent" }),
    });
    scheduler.start();
    await vi.advanceTimersByTimeAsync(2_000);
    // A seal takes 250 ms, so ticks that find one running are skipped: about every third tick runs.
    expect(work.runs.seal).toBeGreaterThanOrEqual(5);
    expect(work.runs.seal).toBeLessThanOrEqual(7);
    expect(work.runs.prove).toBe(4);
    expect(work.runs.storage).toBe(2);
    // Stopping waits for the seal in progress.
    let stopped = false;
    const stopping = scheduler.stop().then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false);
    await vi.advanceTimersByTimeAsync(250);
    await stopping;
    expect(stopped).toBe(true);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(work.runs.prove).toBe(4);
  });

  it("wakes the uploader when a batch is sealed or proved, and writes acks in groups", async () => {
    const work = countingWork();
    const { outbox } = fixture;
    const scheduler = new OutboxScheduler({ work: { outbox, ...work }, schedule, logger: pino({ level: "silent" }) });
    scheduler.start();
    await fixture.seal(2);
    await fixture.seal(2);
    outbox.recordProof(1, standInProof(1));
    expect(work.runs.notify).toBe(3);

    outbox.acknowledge(1);
    expect(outbox.get(1)?.state).toBe("sealed");
    await vi.advanceTimersByTimeAsync(250);
    expect(outbox.get(1)?.state).toBe("acknowledged");
    // Stopping writes what was acked since the last group.
    outbox.acknowledge(2);
    await scheduler.stop();
    expect(outbox.get(2)?.state).toBe("acknowledged");
    await fixture.seal(1);
    expect(work.runs.notify).toBe(3);
  });

  it("logs a failed run and keeps the schedule; proving is left out when it is off", async () => {
    const errors: string[] = [];
    const logger = pino({ level: "error" }, { write: (line: string) => errors.push((JSON.parse(line) as { msg: string }).msg) });
    let sealRuns = 0;
    const scheduler = new OutboxScheduler({
      work: {
        outbox: fixture.outbox,
        sealer: {
          sealDue: () => {
            sealRuns++;
            return Promise.reject(new Error("disk I/O error"));
          },
        },
        storage: { enforce: () => Promise.resolve() },
        prover: undefined,
        uploader: undefined,
      },
      schedule,
      logger,
    });
    scheduler.start();
    await vi.advanceTimersByTimeAsync(300);
    await scheduler.stop();
    expect(sealRuns).toBe(3);
    expect(errors).toEqual(["sealing a batch failed", "sealing a batch failed", "sealing a batch failed"]);
  });
});

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
const silent = pino({ level: "silent" });

let fixture: OutboxFixture;

beforeEach(() => {
  fixture = outboxFixture();
  vi.useFakeTimers({ toFake: ["setInterval", "clearInterval", "setTimeout", "clearTimeout"] });
});

afterEach(() => {
  vi.useRealTimers();
  fixture.db.close();
});

/** Work that counts its runs; a seal takes `sealMs` of (fake) time. */
function countingWork(sealMs = 0) {
  const runs = { seal: 0, prove: 0, storage: 0, notify: 0 };
  const work = {
    outbox: fixture.outbox,
    prover: { queueDue: () => void runs.prove++ },
    storage: { enforce: () => Promise.resolve(void runs.storage++) },
    uploader: () => ({ notify: () => void runs.notify++ }),
  };
  const sealer = {
    sealDue: async () => {
      runs.seal++;
      await new Promise((resolve) => setTimeout(resolve, sealMs));
      return 0;
    },
  };
  return { runs, work, sealer };
}

describe("the outbox scheduler", () => {
  it("runs sealing, proving and the disk quota each on its interval, never overlapping itself", async () => {
    const { runs, work, sealer } = countingWork(250);
    const scheduler = new OutboxScheduler({ work, schedule, logger: silent });
    scheduler.start();
    const stopSealing = scheduler.startSealing(sealer);
    await vi.advanceTimersByTimeAsync(2_000);
    // A seal takes 250 ms, so ticks that find one running are skipped: about every third tick runs.
    expect(runs.seal).toBeGreaterThanOrEqual(5);
    expect(runs.seal).toBeLessThanOrEqual(7);
    expect(runs.prove).toBe(4);
    expect(runs.storage).toBe(2);
    // Stopping the sealing waits for the seal in progress, so a sealer replaced never runs beside the one before.
    let stopped = false;
    const stopping = stopSealing().then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false);
    await vi.advanceTimersByTimeAsync(250);
    await stopping;
    const sealsSoFar = runs.seal;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(runs.seal).toBe(sealsSoFar);
    expect(runs.prove).toBe(6);
    await scheduler.stop();
    await vi.advanceTimersByTimeAsync(2_000);
    expect(runs.prove).toBe(6);
  });

  it("wakes the uploader when a batch is sealed or proved, and writes acks in groups", async () => {
    const { runs, work } = countingWork();
    const { outbox } = fixture;
    const scheduler = new OutboxScheduler({ work, schedule, logger: silent });
    scheduler.start();
    await fixture.seal(2);
    await fixture.seal(2);
    outbox.recordProof(1, standInProof(1));
    expect(runs.notify).toBe(3);

    outbox.acknowledge(1);
    expect(outbox.get(1)?.state).toBe("sealed");
    await vi.advanceTimersByTimeAsync(250);
    expect(outbox.get(1)?.state).toBe("acknowledged");
    // Stopping writes what was acked since the last group.
    outbox.acknowledge(2);
    await scheduler.stop();
    expect(outbox.get(2)?.state).toBe("acknowledged");
    await fixture.seal(1);
    expect(runs.notify).toBe(3);
  });

  it("logs a failed run and keeps the schedule; proving is left out when it is off", async () => {
    const errors: string[] = [];
    const logger = pino({ level: "error" }, { write: (line: string) => errors.push((JSON.parse(line) as { msg: string }).msg) });
    let sealRuns = 0;
    const scheduler = new OutboxScheduler({
      work: {
        outbox: fixture.outbox,
        storage: { enforce: () => Promise.resolve() },
        prover: undefined,
        uploader: () => undefined,
      },
      schedule,
      logger,
    });
    scheduler.start();
    const stopSealing = scheduler.startSealing({
      sealDue: () => {
        sealRuns++;
        return Promise.reject(new Error("disk I/O error"));
      },
    });
    await vi.advanceTimersByTimeAsync(300);
    await stopSealing();
    await scheduler.stop();
    expect(sealRuns).toBe(3);
    expect(errors).toEqual(["sealing a batch failed", "sealing a batch failed", "sealing a batch failed"]);
    // With nothing uploading, a sealed batch wakes no one and breaks nothing.
    await fixture.seal(1);
  });
});

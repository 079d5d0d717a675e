import { every } from "@intelledger/service-kit";
import type { Logger } from "pino";
import type { BatchOutbox } from "./batch-outbox.js";

/** How often each kind of outbox work runs. */
export interface OutboxSchedule {
  /** Looking for batches due to seal (full, or their oldest reading old enough). */
  sealIntervalMs: number;
  /** Handing batches to free provers. */
  proveIntervalMs: number;
  /** Releasing acknowledged batches past their retention, and pruning when the disk quota asks. */
  storageIntervalMs: number;
  /** Writing the relay's acks noted since the last time. */
  acknowledgementIntervalMs: number;
}

export const DEFAULT_SCHEDULE: Omit<OutboxSchedule, "storageIntervalMs"> = {
  sealIntervalMs: 100,
  proveIntervalMs: 500,
  acknowledgementIntervalMs: 250,
};

/** The work the scheduler runs; proving and uploading are absent when they are off. */
export interface OutboxWork {
  outbox: BatchOutbox;
  storage: { enforce(): Promise<unknown> };
  prover: { queueDue(): void } | undefined;
  /** The uploader running now, if any (it is replaced when the relay's settings change). */
  uploader: () => { notify(): void } | undefined;
}

export interface Sealer {
  sealDue(): Promise<number>;
}

/**
 * The one place that decides when the outbox's work runs: sealing, proving, releasing and
 * pruning on their intervals (each never overlapping itself), writing acks in groups, and
 * waking the uploader as soon as there is something new for the relay (a batch sealed or a
 * proof made). Stopping waits for runs in progress and writes the last acks.
 */
export class OutboxScheduler {
  private readonly work: OutboxWork;
  private readonly schedule: OutboxSchedule;
  private readonly logger: Logger;
  private stops: (() => Promise<void>)[] = [];
  private readonly wakeUploader = () => this.work.uploader()?.notify();

  constructor(options: { work: OutboxWork; schedule: OutboxSchedule; logger: Logger }) {
    this.work = options.work;
    this.schedule = options.schedule;
    this.logger = options.logger;
  }

  /** Starts proving, the disk quota and ack writing; sealing starts with its sealer (`startSealing`). */
  start(): void {
    const { outbox, storage, prover } = this.work;
    const { proveIntervalMs, storageIntervalMs, acknowledgementIntervalMs } = this.schedule;
    outbox.on("sealed", this.wakeUploader);
    outbox.on("proved", this.wakeUploader);
    this.stops = [
      this.every(storageIntervalMs, "enforcing the disk quota", () => storage.enforce()),
      this.every(acknowledgementIntervalMs, "recording the relay's acks", () => outbox.flushAcknowledgements()),
      ...(prover ? [this.every(proveIntervalMs, "queueing batches for proving", () => prover.queueDue())] : []),
    ];
  }

  /**
   * Seals with `sealer` on the sealing interval until the returned function is called, which
   * waits for a seal in progress: a sealer replaced (new batching settings) never runs
   * alongside the one before it.
   */
  startSealing(sealer: Sealer): () => Promise<void> {
    return this.every(this.schedule.sealIntervalMs, "sealing a batch", () => sealer.sealDue());
  }

  async stop(): Promise<void> {
    const { outbox } = this.work;
    outbox.off("sealed", this.wakeUploader);
    outbox.off("proved", this.wakeUploader);
    await Promise.all(this.stops.splice(0).map((stop) => stop()));
    outbox.flushAcknowledgements();
  }

  private every(intervalMs: number, what: string, task: () => unknown): () => Promise<void> {
    return every(intervalMs, task, (error) => this.logger.error({ err: error }, `${what} failed`));
  }
}

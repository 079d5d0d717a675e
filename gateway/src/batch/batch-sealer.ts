import { randomBytes } from "node:crypto";
import { setImmediate as yieldToIngest } from "node:timers/promises";
import {
  BatchCommitment,
  batchablePrefix,
  boundedStreams,
  fieldToBytes32,
  SALT_SEED_BYTES,
  type PoseidonHasher,
} from "@intelledger/circuits";
import { sealedBatchHeader, signBatch } from "@intelledger/proto/relay";
import type { Wallet } from "ethers";
import type { GatewayClock } from "../clock/gateway-clock.js";
import { committedBounds, type ConfiguredBounds } from "./committed-bounds.js";
import type { ReadingStore, StoredReading } from "../store/reading-store.js";
import type { BatchOutbox } from "./batch-outbox.js";

export interface BatchSealerOptions {
  readings: ReadingStore;
  outbox: BatchOutbox;
  hasher: PoseidonHasher;
  identity: Wallet;
  maxReadings: number;
  maxAgeMs: number;
  /** Every data class readings can have; each is sealed into batches of its own. */
  dataClasses: readonly number[];
  clock: Pick<GatewayClock, "read">;
  /**
   * When inference runs: readings are sealed only once their anomaly flag is decided, except
   * that a reading still undecided `timeoutMs` after it arrived (a stalled or failing model)
   * is sealed as not anomalous, recorded as a scoring timeout. Without it, readings are
   * sealed as they come and recorded as unscored because inference is off.
   */
  scoring?: { timeoutMs: number; onTimeout?: (readings: number) => void };
  /** The stream bounds technicians configured (see committedBounds); every stream is unbounded without. */
  bounds?: ConfiguredBounds;
}

/**
 * Turns stored readings into signed batches, one data class at a time: a batch closes
 * when it holds `maxReadings`, when the next reading would not fit one proof (its codes
 * or its receive time; see batchablePrefix), or when its oldest reading is `maxAgeMs` old.
 * Each batch commits to its readings by its batch commitment root (see
 * @intelledger/circuits), anomaly flags included, and links to the previous batch (of any
 * class) by hash. With inference on, a batch holds only readings whose flag is decided.
 */
export class BatchSealer {
  private readonly options: BatchSealerOptions;
  private readonly sealedThrough: Map<number, number>;

  constructor(options: BatchSealerOptions) {
    this.options = options;
    this.sealedThrough = options.outbox.sealedThrough();
  }

  /** Seals every batch that is due; returns how many. */
  async sealDue(): Promise<number> {
    let sealed = 0;
    for (const dataClass of this.options.dataClasses) {
      while (await this.sealNext(dataClass)) {
        sealed++;
        // Hashing a full batch takes a while; let frames in between batches.
        await yieldToIngest();
      }
    }
    return sealed;
  }

  private async sealNext(dataClass: number): Promise<boolean> {
    const { readings, outbox, hasher, identity, maxReadings, maxAgeMs } = this.options;
    const { scoring } = this.options;
    const now = this.options.clock.read();
    // Age by the monotonic clock, which a wall clock being set or jumping does not fool;
    // a reading from an earlier boot is old whatever its time stamp says.
    const ageOf = (reading: StoredReading) =>
      reading.receivedBoot === now.boot ? now.uptimeMs - reading.receivedUptimeMs : Number.POSITIVE_INFINITY;
    let pending = readings.ofClassAfter(dataClass, this.sealedThrough.get(dataClass) ?? 0, maxReadings);
    if (scoring) {
      // Only decided readings are sealed; those the scorer did not reach in time are decided here.
      const undecided = pending.findIndex((reading) => !reading.decided);
      if (undecided >= 0) {
        let overdue = undecided;
        while (overdue < pending.length && ageOf(pending[overdue] as StoredReading) >= scoring.timeoutMs) overdue++;
        const lastOverdue = pending[overdue - 1];
        if (overdue > undecided && lastOverdue) {
          const settled = readings.settleUnscored(
            dataClass,
            pending[undecided]?.gatewaySeq ?? 0,
            lastOverdue.gatewaySeq,
            "scoring-timeout",
          );
          scoring.onTimeout?.(settled);
          pending = readings.ofClassAfter(dataClass, this.sealedThrough.get(dataClass) ?? 0, maxReadings);
        }
      }
    }
    const decided = scoring ? pending.findIndex((reading) => !reading.decided) : -1;
    const ready = decided < 0 ? pending : pending.slice(0, decided);
    // A batch is one proof: it ends where the circuit's capacity, code bits or receive window do.
    const bounds = committedBounds(ready, this.options.bounds ?? (() => undefined));
    const members = ready.slice(0, batchablePrefix(ready, bounds));
    const [first] = members;
    const last = members.at(-1);
    if (!first || !last) return false;
    const full = members.length >= maxReadings || members.length < ready.length;
    if (!full && ageOf(first) < maxAgeMs) return false;
    if (!scoring) readings.settleUnscored(dataClass, first.gatewaySeq, last.gatewaySeq, "inference-disabled");

    // A fresh secret per batch salts its commitment, so a receipt reveals no other reading.
    const saltSeed = randomBytes(SALT_SEED_BYTES);
    const commitment = BatchCommitment.build(hasher, { gatewayId: identity.address, readings: members, bounds, saltSeed });
    const header = sealedBatchHeader(
      {
        gatewayId: identity.address,
        ...outbox.nextPlace(),
        readingsRoot: fieldToBytes32(commitment.root),
        sealedAtMs: now.nowMs,
        dataClass,
      },
      members,
    );
    outbox.seal(header, await signBatch(identity, header), boundedStreams(commitment.streams), saltSeed);
    this.sealedThrough.set(dataClass, last.gatewaySeq);
    return true;
  }
}

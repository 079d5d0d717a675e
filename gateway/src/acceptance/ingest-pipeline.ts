import { EventEmitter } from "node:events";
import type { Logger } from "pino";
import type { ClockReading, GatewayClock } from "../clock/gateway-clock.js";
import {
  REJECTION_REASONS,
  TRANSIENT_REJECTIONS,
  type AcceptedFrame,
  type FrameAcceptor,
  type RejectionReason,
} from "./frame-acceptor.js";
import { isDiskFull } from "../store/disk-space.js";
import { GatewayError } from "../errors.js";
import { deviceClockProblem } from "./device-clock.js";
import type { RefusalLog } from "./refusal-log.js";
import type { DataClasses } from "../store/data-classes.js";
import type { FrameToStore, ReadingStore } from "../store/reading-store.js";
import type { IncomingFrame, IngestOutcome, TransportName } from "../ingest/frame-transport.js";
import { GroupCommit } from "../store/group-commit.js";

export interface IngestCounters {
  framesAccepted: number;
  readingsAccepted: number;
  rejected: Record<RejectionReason, number>;
  /** Frames not taken because the disk quota was reached (the device keeps them). */
  refusedStorageFull: number;
  /** Frames received while the gateway's own clock was not trusted. */
  timeUncertainFrames: number;
  /** Frames whose device clock was implausible (never set, far behind or ahead): stored time-uncertain. */
  deviceClockImplausibleFrames: number;
  devicesQuarantined: number;
  /** Frames devices numbered but that never arrived (gaps in their counters). */
  framesMissed: number;
}

/** A frame that is now durable, for whoever acts on device data (status, acks, inference, flows). */
export interface StoredFrame extends AcceptedFrame {
  transport: TransportName;
  clock: ClockReading;
}

/** A frame refused for one of the rejection reasons; `deviceId` is whom it named, when it could be read. */
export interface RefusedFrame {
  reason: RejectionReason;
  deviceId: string | undefined;
  transport: TransportName;
}

export interface IngestPipelineDeps {
  acceptor: FrameAcceptor;
  readings: ReadingStore;
  clock: GatewayClock;
  dataClasses: DataClasses;
  /** The storage guard: whether frames are refused for want of space, why, and how a write that found the disk full says so. */
  storage: { readonly full: boolean; readonly fullReason?: "quota" | "disk" | undefined; diskFull?(): void };
  /** How long a device is asked to wait while the disk quota is reached: until the quota is checked again. */
  storageFullRetryAfterMs: number;
  logger: Logger;
  /** Where refusals are written, rate-limited. */
  refusals: RefusalLog;
  groupCommitDelayMs: number;
}

/**
 * From transport bytes to durable readings: verify, then group-commit, then answer.
 * Emits `stored` with each frame once it is durable, and `refused` with each one refused.
 */
export class IngestPipeline extends EventEmitter<{ stored: [StoredFrame]; refused: [RefusedFrame] }> {
  readonly counters: IngestCounters = {
    framesAccepted: 0,
    readingsAccepted: 0,
    rejected: Object.fromEntries(REJECTION_REASONS.map((reason) => [reason, 0])) as Record<RejectionReason, number>,
    refusedStorageFull: 0,
    timeUncertainFrames: 0,
    deviceClockImplausibleFrames: 0,
    devicesQuarantined: 0,
    framesMissed: 0,
  };
  private readonly deps: IngestPipelineDeps;
  private readonly commits: GroupCommit<FrameToStore>;
  /** Frames being taken now, by their bytes (one character a byte: cheaper than hashing them, and exact). */
  private readonly inFlight = new Map<string, Promise<IngestOutcome>>();

  constructor(deps: IngestPipelineDeps) {
    super();
    this.deps = deps;
    this.commits = new GroupCommit<FrameToStore>((frames) => deps.readings.commitFrames(frames), {
      maxDelayMs: deps.groupCommitDelayMs,
      maxItems: 512,
    });
  }

  /**
   * Takes one frame. A copy that arrives while the same bytes are still being taken (a
   * device resending after a lost answer, over a new connection) gets the first copy's
   * answer: refused as a replay, it would be acknowledged and dropped by the device, and a
   * crash before the first copy's commit would lose the frame.
   */
  readonly handle = (incoming: IncomingFrame): Promise<IngestOutcome> => {
    const { bytes } = incoming;
    const key = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    const outcome = this.take(incoming).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, outcome);
    return outcome;
  };

  private async take(incoming: IncomingFrame): Promise<IngestOutcome> {
    const { acceptor, clock, dataClasses, storage, logger, refusals } = this.deps;
    const clockReading = clock.read();
    const { transport } = incoming;
    if (storage.full) throw this.storageFull(incoming);
    const verdict = await acceptor.check(incoming.bytes, incoming);
    if (!verdict.accepted) {
      const { reason, detail, deviceId, retryAfterMs } = verdict;
      this.counters.rejected[reason]++;
      if (verdict.quarantined) {
        this.counters.devicesQuarantined++;
        logger.warn({ deviceId }, "device quarantined after repeated failures");
      }
      refusals.note(reason, deviceId ?? transport, { transport, deviceId, detail }, "frame refused");
      this.emit("refused", { reason, deviceId, transport });
      if (TRANSIENT_REJECTIONS.has(reason)) {
        throw new GatewayError(`frame not taken now: ${detail}`, {
          deviceId,
          reason,
          ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
        });
      }
      return deviceId === undefined ? { accepted: false, reason, detail } : { accepted: false, reason, detail, deviceId };
    }
    const { frame } = verdict;
    const clockProblem = clockReading.uncertain ? undefined : deviceClockProblem(frame, clockReading.nowMs);
    if (clockProblem) {
      this.counters.deviceClockImplausibleFrames++;
      refusals.note(
        "device_clock",
        frame.deviceId,
        { transport, deviceId: frame.deviceId, detail: clockProblem },
        "device clock implausible; readings stored as time-uncertain",
      );
    }
    const frameClock = clockProblem ? { ...clockReading, uncertain: true } : clockReading;
    try {
      await this.commits.submit({
        deviceId: frame.deviceId,
        counter: frame.counter,
        clock: frameClock,
        transport: incoming.transport,
        status: frame.status,
        samples: frame.samples.map((sample) => ({ ...sample, dataClass: dataClasses.of(sample.channel, frame.deviceId) })),
      });
    } catch (error) {
      // The acceptor advanced the device's counter: the device's copy of this frame must not be taken for a replay.
      acceptor.notStored(frame.deviceId, frame.counter);
      if (isDiskFull(error)) {
        storage.diskFull?.();
        throw this.storageFull(incoming);
      }
      refusals.note(
        "store_failed",
        frame.deviceId,
        { transport, deviceId: frame.deviceId, err: error },
        "storing a frame failed",
      );
      throw error;
    }
    this.counters.framesAccepted++;
    this.counters.readingsAccepted += frame.samples.length;
    this.counters.framesMissed += frame.missedBefore;
    if (clockReading.uncertain) this.counters.timeUncertainFrames++;
    this.emit("stored", { ...frame, transport, clock: frameClock });
    return { accepted: true, deviceId: frame.deviceId };
  }

  /** Counts and logs a frame not taken for want of space; the error tells the transport to refuse it, to be sent again later. */
  private storageFull(incoming: IncomingFrame): GatewayError {
    const { storage, refusals, storageFullRetryAfterMs } = this.deps;
    const { transport } = incoming;
    const why = storage.fullReason === "disk" ? "the disk holding the database is full" : "disk quota reached";
    this.counters.refusedStorageFull++;
    refusals.note("storage_full", incoming.claimedDeviceId ?? transport, { transport }, `frame not taken: ${why}`);
    return new GatewayError(`${why}; frame not taken`, {
      transport,
      reason: "storage_full",
      retryAfterMs: storageFullRetryAfterMs,
    });
  }

  /** Commits whatever is waiting; called before shutting down. */
  flush(): void {
    this.commits.flush();
  }
}

import type { Logger } from "pino";
import type { GatewayClock } from "../clock/gateway-clock.js";
import type { DeviceRegistry } from "../devices/device-registry.js";
import { REJECTION_REASONS, type FrameAcceptor, type RejectionReason } from "../devices/frame-acceptor.js";
import { GatewayError } from "../errors.js";
import type { DataClasses } from "../storage/data-classes.js";
import type { FrameToStore, ReadingStore } from "../store/reading-store.js";
import type { IncomingFrame, IngestOutcome } from "./frame-transport.js";
import { GroupCommit } from "./group-commit.js";

export interface IngestCounters {
  framesAccepted: number;
  readingsAccepted: number;
  rejected: Record<RejectionReason, number>;
  /** Frames not taken because the disk quota was reached (the device keeps them). */
  refusedStorageFull: number;
  timeUncertainFrames: number;
}

export interface IngestPipelineDeps {
  acceptor: FrameAcceptor;
  registry: DeviceRegistry;
  readings: ReadingStore;
  clock: GatewayClock;
  dataClasses: DataClasses;
  storage: { readonly full: boolean };
  logger: Logger;
  groupCommitDelayMs: number;
}

/** From transport bytes to durable readings: verify, then group-commit, then answer. */
export class IngestPipeline {
  readonly counters: IngestCounters = {
    framesAccepted: 0,
    readingsAccepted: 0,
    rejected: Object.fromEntries(REJECTION_REASONS.map((reason) => [reason, 0])) as Record<RejectionReason, number>,
    refusedStorageFull: 0,
    timeUncertainFrames: 0,
  };
  private readonly deps: IngestPipelineDeps;
  private readonly commits: GroupCommit<FrameToStore>;

  constructor(deps: IngestPipelineDeps) {
    this.deps = deps;
    this.commits = new GroupCommit<FrameToStore>((frames) => deps.readings.commitFrames(frames), {
      maxDelayMs: deps.groupCommitDelayMs,
      maxItems: 512,
    });
  }

  readonly handle = async (incoming: IncomingFrame): Promise<IngestOutcome> => {
    const { acceptor, registry, clock, dataClasses, storage, logger } = this.deps;
    const clockReading = clock.read();
    if (storage.full) {
      this.counters.refusedStorageFull++;
      throw new GatewayError("disk quota reached; frame not taken", { transport: incoming.transport });
    }
    const verdict = acceptor.check(incoming.bytes, incoming.claimedDeviceId);
    if (!verdict.accepted) {
      this.counters.rejected[verdict.reason]++;
      logger.warn(
        { transport: incoming.transport, deviceId: verdict.deviceId, reason: verdict.reason, detail: verdict.detail },
        "frame rejected",
      );
      return { accepted: false, reason: verdict.reason, detail: verdict.detail };
    }
    const { frame } = verdict;
    try {
      await this.commits.submit({
        deviceId: frame.deviceId,
        counter: frame.counter,
        clock: clockReading,
        samples: frame.samples.map((sample) => ({ ...sample, dataClass: dataClasses.of(sample.channel) })),
      });
    } catch (error) {
      // The acceptor already advanced the device's counter in memory; undo that so the
      // device's retry of this frame is not taken for a replay.
      registry.reloadCounters();
      throw error;
    }
    this.counters.framesAccepted++;
    this.counters.readingsAccepted += frame.samples.length;
    if (clockReading.uncertain) this.counters.timeUncertainFrames++;
    return { accepted: true };
  };

  /** Commits whatever is waiting; called before shutting down. */
  flush(): void {
    this.commits.flush();
  }
}

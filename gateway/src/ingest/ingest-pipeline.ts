import type { Logger } from "pino";
import type { DeviceRegistry } from "../devices/device-registry.js";
import { REJECTION_REASONS, type AcceptedFrame, type FrameAcceptor, type RejectionReason } from "../devices/frame-acceptor.js";
import type { ReadingStore } from "../store/reading-store.js";
import type { IncomingFrame, IngestOutcome } from "./frame-transport.js";
import { GroupCommit } from "./group-commit.js";

export interface IngestCounters {
  framesAccepted: number;
  readingsAccepted: number;
  rejected: Record<RejectionReason, number>;
}

/** From transport bytes to durable readings: verify, then group-commit, then answer. */
export class IngestPipeline {
  readonly counters: IngestCounters = {
    framesAccepted: 0,
    readingsAccepted: 0,
    rejected: Object.fromEntries(REJECTION_REASONS.map((reason) => [reason, 0])) as Record<RejectionReason, number>,
  };
  private readonly acceptor: FrameAcceptor;
  private readonly registry: DeviceRegistry;
  private readonly logger: Logger;
  private readonly commits: GroupCommit<AcceptedFrame>;

  constructor(deps: {
    acceptor: FrameAcceptor;
    registry: DeviceRegistry;
    readings: ReadingStore;
    logger: Logger;
    groupCommitDelayMs: number;
  }) {
    this.acceptor = deps.acceptor;
    this.registry = deps.registry;
    this.logger = deps.logger;
    this.commits = new GroupCommit<AcceptedFrame>((frames) => deps.readings.commitFrames(frames), {
      maxDelayMs: deps.groupCommitDelayMs,
      maxItems: 512,
    });
  }

  readonly handle = async (incoming: IncomingFrame): Promise<IngestOutcome> => {
    const verdict = this.acceptor.check(incoming.bytes, incoming.receivedAtMs, incoming.claimedDeviceId);
    if (!verdict.accepted) {
      this.counters.rejected[verdict.reason]++;
      this.logger.warn(
        { transport: incoming.transport, deviceId: verdict.deviceId, reason: verdict.reason, detail: verdict.detail },
        "frame rejected",
      );
      return { accepted: false, reason: verdict.reason, detail: verdict.detail };
    }
    try {
      await this.commits.submit(verdict.frame);
    } catch (error) {
      // The acceptor already advanced the device's counter in memory; undo that so the
      // device's retry of this frame is not taken for a replay.
      this.registry.reloadCounters();
      throw error;
    }
    this.counters.framesAccepted++;
    this.counters.readingsAccepted += verdict.frame.samples.length;
    return { accepted: true };
  };

  /** Commits whatever is waiting; called before shutting down. */
  flush(): void {
    this.commits.flush();
  }
}

import type { AnchoredBatch, GatewayRelayServiceClient } from "@intelledger/proto/relay";
import type { Wallet } from "ethers";
import type { Logger } from "pino";
import type { BatchOutbox } from "../batch/batch-outbox.js";
import type { GatewayClock } from "../clock/gateway-clock.js";
import type { Backoff } from "./backoff.js";
import { startHeartbeats } from "./heartbeats.js";
import { register, resumePoint } from "./registration.js";
import { sessionEnd, type SessionEnd } from "./session-end.js";
import { UploadWindow, type UploadCall } from "./upload-window.js";

/** `refused`: the relay refused what the gateway sends for good; the uplink waits for a person (see lastError). */
export const UPLINK_STATES = ["connecting", "uploading", "waiting", "refused", "stopped"] as const;
export type UplinkState = (typeof UPLINK_STATES)[number];

export interface UplinkStatus {
  state: UplinkState;
  batchesAcked: number;
  readingsAcked: number;
  lastError: string | undefined;
  /** Sessions in a row that ended in a failure; 0 once the relay registers the gateway again. */
  failures: number;
  /** When the uplink tries again, while it waits. */
  retryAtMs: number | undefined;
  /** When the relay last answered: registered the gateway or acknowledged a batch. */
  lastAnswerAtMs: number | undefined;
  /** The newest of the gateway's batches the relay has anchored on chain, as its heartbeats say. */
  lastAnchored: AnchoredBatch | undefined;
}

export interface BatchUploaderOptions {
  client: GatewayRelayServiceClient;
  identity: Wallet;
  outbox: BatchOutbox;
  clock: GatewayClock;
  backoff: Backoff;
  heartbeatIntervalMs: number;
  /** After a final refusal, how long the uplink waits before it asks the relay again. */
  refusedRetryMs?: number;
  logger: Logger;
}

const DEFAULT_MAX_IN_FLIGHT = 4;
const DEFAULT_REFUSED_RETRY_MS = 5 * 60_000;

/**
 * Keeps a session with the relay going: register (which says where the relay's record
 * ends), then an upload window and heartbeats until the session ends. What happens next
 * depends on how it ended (see session-end.ts): back off and retry, wait longer, resync at
 * once, or stop and report a refusal.
 */
export class BatchUploader {
  readonly status: UplinkStatus = {
    state: "connecting",
    batchesAcked: 0,
    readingsAcked: 0,
    lastError: undefined,
    failures: 0,
    retryAtMs: undefined,
    lastAnswerAtMs: undefined,
    lastAnchored: undefined,
  };
  private readonly options: BatchUploaderOptions;
  private stopped = false;
  private window: UploadWindow | undefined;
  private call: UploadCall | undefined;
  private sleeping: { timer: NodeJS.Timeout; resolve: () => void } | undefined;
  private running: Promise<void> | undefined;
  /** How the last session ended, and the batches acknowledged by then: an ending that repeats with no ack in between escalates. */
  private lastEnd: { action: SessionEnd["action"]; batchesAcked: number } | undefined;

  constructor(options: BatchUploaderOptions) {
    this.options = options;
  }

  start(): void {
    this.running ??= this.run();
  }

  /** Tells the uploader there is something new to send (a batch sealed, a proof made). */
  notify(): void {
    this.window?.pump();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.call?.cancel();
    if (this.sleeping) {
      clearTimeout(this.sleeping.timer);
      this.sleeping.resolve();
    }
    await this.running;
    this.options.client.close();
    this.status.state = "stopped";
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.session();
      } catch (error) {
        if (this.stopped) break;
        const { action, delayMs } = this.next(sessionEnd(error));
        this.status.lastError = (error as Error).message;
        this.status.state = action === "refused" ? "refused" : "waiting";
        this.status.failures++;
        this.status.retryAtMs = Date.now() + delayMs;
        const log = { err: error, action, retryInMs: delayMs };
        if (action === "refused") this.options.logger.error(log, "the relay refused this gateway's uploads; stopped uploading");
        else this.options.logger.warn(log, "relay session ended");
        await this.sleep(delayMs);
        this.status.retryAtMs = undefined;
      }
    }
  }

  /** What to do after a session ended with `end`, and how long to wait first. */
  private next(end: SessionEnd): { action: SessionEnd["action"]; delayMs: number } {
    const { backoff } = this.options;
    const { batchesAcked } = this.status;
    const repeated = this.lastEnd?.action === end.action && this.lastEnd.batchesAcked === batchesAcked;
    this.lastEnd = { action: end.action, batchesAcked };
    const refused = { action: "refused" as const, delayMs: this.options.refusedRetryMs ?? DEFAULT_REFUSED_RETRY_MS };
    switch (end.action) {
      case "retry":
        return { action: "retry", delayMs: backoff.nextDelayMs() };
      case "overloaded":
        if (end.retryAfterMs !== undefined) return { action: "overloaded", delayMs: backoff.retryAfterDelayMs(end.retryAfterMs) };
        // Refused twice for size or capacity without a word on when to come back: the relay
        // will not take what is next (a message above its limit is refused every time).
        return repeated ? refused : { action: "overloaded", delayMs: backoff.overloadedDelayMs() };
      case "resync":
        // Registering again tells where the relay's record stands; only if that did not help does it wait.
        return { action: "resync", delayMs: repeated ? backoff.nextDelayMs() : 0 };
      case "refused":
        return refused;
    }
  }

  private async sleep(delayMs: number): Promise<void> {
    await new Promise<void>((resolve) => {
      this.sleeping = { timer: setTimeout(resolve, delayMs), resolve };
    });
    this.sleeping = undefined;
  }

  private async session(): Promise<void> {
    const { client, identity, outbox, clock, backoff, heartbeatIntervalMs, logger } = this.options;
    this.status.state = "connecting";
    const registration = await register({ client, identity, clock, logger });
    this.status.lastAnswerAtMs = Date.now();
    this.status.failures = 0;
    const resumeAt = resumePoint(registration, outbox);
    if (this.stopped) return;
    const call = client.upload();
    const window = new UploadWindow({
      call,
      outbox,
      resumeAt,
      maxInFlight: registration.flowControl?.maxInFlight || DEFAULT_MAX_IN_FLIGHT,
      onAcked: (_sequence, readings) => {
        // The relay takes batches again: the next failure starts the backoff afresh.
        backoff.reset();
        this.status.lastAnswerAtMs = Date.now();
        this.status.batchesAcked++;
        this.status.readingsAcked += readings;
      },
      logger,
    });
    this.call = call;
    this.window = window;
    this.status.state = "uploading";
    this.status.lastError = undefined;
    const stopHeartbeats = startHeartbeats({
      client,
      gatewayId: identity.address,
      clock,
      backlog: () => outbox.backlog(),
      intervalMs: heartbeatIntervalMs,
      onAnchored: (anchored) => {
        this.status.lastAnchored = anchored;
      },
      logger,
    });
    try {
      await window.run();
    } finally {
      stopHeartbeats();
      this.window = undefined;
      this.call = undefined;
    }
  }
}

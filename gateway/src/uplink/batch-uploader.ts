import { Metadata, type ClientDuplexStream } from "@grpc/grpc-js";
import {
  Pruned,
  signRegistration,
  type GatewayRelayServiceClient,
  type HeartbeatResponse,
  type RegisterResponse,
  type SignedBatch,
  type UploadRequest,
  type UploadResponse,
} from "@intelledger/proto/relay";
import type { Wallet } from "ethers";
import type { Logger } from "pino";
import type { GatewayClock } from "../clock/gateway-clock.js";
import { hostUptimeMs } from "../clock/host-boot.js";
import { GatewayError } from "../errors.js";
import type { BatchStore, StoredBatch } from "../batch/batch-store.js";
import type { ProofStore } from "../prove/proof-store.js";
import type { ReadingStore } from "../store/reading-store.js";
import type { Backoff } from "./backoff.js";

export type UplinkState = "connecting" | "uploading" | "waiting" | "stopped";

export interface UplinkStatus {
  state: UplinkState;
  batchesAcked: number;
  readingsAcked: number;
  lastError: string | undefined;
}

const DEFAULT_MAX_IN_FLIGHT = 4;
const ACK_RECORD_INTERVAL_MS = 250;
const CALL_DEADLINE_MS = 10_000;

function deadline(): Date {
  return new Date(Date.now() + CALL_DEADLINE_MS);
}

/**
 * Uploads sealed batches to the relay in sequence order, resuming wherever the relay's
 * record ends. A batch counts as delivered only when the relay acks it (after storing
 * it durably); on any failure the session ends and a new one starts after a backoff.
 */
export class BatchUploader {
  readonly status: UplinkStatus = { state: "connecting", batchesAcked: 0, readingsAcked: 0, lastError: undefined };
  private stopped = false;
  private wake: (() => void) | undefined;
  private call: ClientDuplexStream<UploadRequest, UploadResponse> | undefined;
  private sleeping: { timer: NodeJS.Timeout; resolve: () => void } | undefined;
  private running: Promise<void> | undefined;
  private readonly deps: {
    client: GatewayRelayServiceClient;
    identity: Wallet;
    batches: BatchStore;
    readings: ReadingStore;
    proofs: ProofStore;
    clock: GatewayClock;
    backoff: Backoff;
    heartbeatIntervalMs: number;
    logger: Logger;
  };

  constructor(deps: BatchUploader["deps"]) {
    this.deps = deps;
  }

  start(): void {
    this.running ??= this.run();
  }

  /** Tells the uploader a new batch was sealed. */
  notify(): void {
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.call?.cancel();
    if (this.sleeping) {
      clearTimeout(this.sleeping.timer);
      this.sleeping.resolve();
    }
    await this.running;
    this.deps.client.close();
    this.status.state = "stopped";
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.session();
      } catch (error) {
        if (this.stopped) break;
        this.status.lastError = (error as Error).message;
        this.status.state = "waiting";
        const delay = this.deps.backoff.nextDelayMs();
        this.deps.logger.warn({ err: error, retryInMs: delay }, "relay session ended");
        await new Promise<void>((resolve) => {
          this.sleeping = { timer: setTimeout(resolve, delay), resolve };
        });
        this.sleeping = undefined;
      }
    }
  }

  private async register(): Promise<RegisterResponse> {
    const { client, identity, clock } = this.deps;
    const timestampMs = Date.now();
    const signature = await signRegistration(identity, identity.address, timestampMs);
    const sentAtUptimeMs = hostUptimeMs();
    const response = await new Promise<RegisterResponse>((resolve, reject) => {
      client.register(
        { gatewayId: identity.address, timestampMs, signature, boot: clock.boot, uptimeMs: sentAtUptimeMs },
        new Metadata(),
        { deadline: deadline() },
        (error, reply) => (error ? reject(error) : resolve(reply)),
      );
    });
    this.checkClock(response.relayTimeMs, sentAtUptimeMs);
    return response;
  }

  /** The relay's time, read halfway through the round trip, tells whether the wall clock can be trusted. */
  private checkClock(relayTimeMs: number, sentAtUptimeMs: number): void {
    const errorMs = this.deps.clock.confirm(relayTimeMs, (sentAtUptimeMs + hostUptimeMs()) / 2);
    if (Math.abs(errorMs) > 2_000) {
      this.deps.logger.warn({ clockErrorMs: errorMs }, "gateway clock disagrees with the relay; readings stay time-uncertain");
    }
  }

  /** Aligns the local outbox with what the relay already holds; returns where to resume. */
  private reconcile(registration: RegisterResponse): number {
    const { batches } = this.deps;
    const relayLast = registration.nextSequence - 1;
    if (relayLast > 0) {
      const local = batches.get(relayLast);
      if (!local) {
        throw new GatewayError("the relay holds batches this gateway never sealed; its database does not match this gateway", {
          relayLastSequence: relayLast,
          localLastSequence: batches.last()?.sequence ?? 0,
        });
      }
      if (!Buffer.from(local.batchHash).equals(Buffer.from(registration.lastBatchHash))) {
        throw new GatewayError("the relay's last batch differs from this gateway's; refusing to upload", { sequence: relayLast });
      }
      batches.markAckedThrough(relayLast, Date.now());
    }
    return registration.nextSequence;
  }

  private toSignedBatch(stored: StoredBatch): SignedBatch {
    if (stored.releasedAtMs !== undefined) {
      throw new GatewayError("the relay asks again for a batch it acknowledged and whose readings were since deleted here", {
        sequence: stored.sequence,
      });
    }
    const signed: SignedBatch = {
      batch: {
        gatewayId: this.deps.identity.address,
        sequence: stored.sequence,
        previousBatchHash: stored.previousBatchHash,
        readingsRoot: stored.readingsRoot,
        sealedAtMs: stored.sealedAtMs,
        dataClass: stored.dataClass,
        readingCount: stored.readingCount,
        firstGatewaySeq: stored.firstGatewaySeq,
        lastGatewaySeq: stored.lastGatewaySeq,
        readings: stored.pruned
          ? []
          : this.deps.readings.ofClassBetween(stored.dataClass, stored.firstGatewaySeq, stored.lastGatewaySeq),
        streamBounds: stored.pruned ? [] : stored.streamBounds,
      },
      signature: stored.signature,
      prunedSignature: stored.prunedSignature ?? new Uint8Array(),
    };
    if (stored.pruned) signed.pruned = Pruned.decode(stored.pruned);
    return signed;
  }

  private startHeartbeats(): NodeJS.Timeout {
    const { client, identity, batches, clock, heartbeatIntervalMs, logger } = this.deps;
    return setInterval(() => {
      const backlog = batches.backlog();
      const sentAtUptimeMs = hostUptimeMs();
      client.heartbeat(
        {
          gatewayId: identity.address,
          sentAtMs: Date.now(),
          backlogBatches: backlog.batches,
          backlogReadings: backlog.readings,
          boot: clock.boot,
          uptimeMs: sentAtUptimeMs,
        },
        new Metadata(),
        { deadline: deadline() },
        (error: Error | null, response?: HeartbeatResponse) => {
          if (error) logger.debug({ err: error }, "heartbeat failed");
          else if (response) this.checkClock(response.relayTimeMs, sentAtUptimeMs);
        },
      );
    }, heartbeatIntervalMs);
  }

  private async session(): Promise<void> {
    this.status.state = "connecting";
    const registration = await this.register();
    this.deps.backoff.reset();
    let cursor = this.reconcile(registration);
    let maxInFlight = registration.flowControl?.maxInFlight || DEFAULT_MAX_IN_FLIGHT;
    this.status.state = "uploading";
    this.status.lastError = undefined;

    const call = this.deps.client.upload();
    this.call = call;
    const heartbeats = this.startHeartbeats();
    // Acks are written to the database a few times a second, not one by one: an ack lost in
    // a crash only means the relay is sent that batch again, which it recognises.
    let ackedThrough = cursor - 1;
    let recordedThrough = ackedThrough;
    const recordAcks = () => {
      if (ackedThrough <= recordedThrough) return;
      this.deps.batches.markAckedThrough(ackedThrough, Date.now());
      recordedThrough = ackedThrough;
    };
    const ackRecorder = setInterval(recordAcks, ACK_RECORD_INTERVAL_MS);
    const readingsInFlight = new Map<number, number>();
    const proofsInFlight = new Set<number>();
    try {
      await new Promise<void>((resolve, reject) => {
        const pump = () => {
          while (cursor - 1 - ackedThrough < maxInFlight) {
            const [next] = this.deps.batches.from(cursor, 1);
            if (!next) break;
            call.write({ message: { $case: "batch", value: this.toSignedBatch(next) } });
            readingsInFlight.set(next.sequence, next.readingCount);
            cursor++;
          }
          // Proofs follow their batches, within the same window.
          const room = maxInFlight - proofsInFlight.size;
          if (room <= 0) return;
          for (const stored of this.deps.proofs.toUpload(cursor - 1, room + proofsInFlight.size)) {
            if (proofsInFlight.has(stored.sequence) || proofsInFlight.size >= maxInFlight) continue;
            call.write({
              message: {
                $case: "proof",
                value: {
                  sequence: stored.sequence,
                  proof: Buffer.from(stored.proofJson),
                  publicSignals: stored.publicSignals,
                },
              },
            });
            proofsInFlight.add(stored.sequence);
          }
        };
        this.wake = pump;
        call.on("data", (response: UploadResponse) => {
          const message = response.message;
          if (message?.$case === "ack") {
            const { sequence } = message.value;
            if (sequence !== ackedThrough + 1) {
              reject(new GatewayError("relay acked out of order", { expected: ackedThrough + 1, got: sequence }));
              call.cancel();
              return;
            }
            ackedThrough = sequence;
            this.status.batchesAcked++;
            this.status.readingsAcked += readingsInFlight.get(sequence) ?? 0;
            readingsInFlight.delete(sequence);
          } else if (message?.$case === "proofAck") {
            this.deps.proofs.markUploaded(message.value.sequence, message.value.valid, Date.now());
            proofsInFlight.delete(message.value.sequence);
            if (!message.value.valid)
              this.deps.logger.error({ sequence: message.value.sequence }, "the relay found a batch proof invalid");
          } else if (message?.$case === "flowControl") {
            maxInFlight = Math.max(1, message.value.maxInFlight);
          }
          pump();
        });
        call.on("error", reject);
        call.on("end", () => reject(new GatewayError("the relay closed the upload stream")));
        pump();
      });
    } finally {
      clearInterval(heartbeats);
      clearInterval(ackRecorder);
      recordAcks();
      this.wake = undefined;
      this.call = undefined;
    }
  }
}

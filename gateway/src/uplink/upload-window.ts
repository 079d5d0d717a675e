import type { ClientDuplexStream } from "@grpc/grpc-js";
import type { UploadRequest, UploadResponse } from "@intelledger/proto/relay";
import type { Logger } from "pino";
import type { BatchOutbox } from "../batch/batch-outbox.js";
import { GatewayError } from "../errors.js";

/** What the window needs of an upload stream. */
export type UploadCall = Pick<ClientDuplexStream<UploadRequest, UploadResponse>, "write" | "cancel" | "on">;

/** The relay broke the stream's protocol (an ack out of order, a verdict on a proof never sent). */
export class UploadProtocolError extends GatewayError {}

export interface UploadWindowOptions {
  call: UploadCall;
  outbox: BatchOutbox;
  /** The first batch to send: where the relay's record ends. */
  resumeAt: number;
  /** Batches that may be unacknowledged at once, until the relay says otherwise. */
  maxInFlight: number;
  /** Each batch the relay acknowledged, with its reading count. */
  onAcked: (sequence: number, readings: number) => void;
  logger: Logger;
}

/**
 * One upload stream: batches go up in sequence order, at most `maxInFlight` ahead of the
 * relay's acks; proofs follow their batches within the same window. A batch counts as
 * delivered only when the relay acks it (after storing it durably), and acks must come in
 * order. The window runs until the stream fails or ends, which ends the session.
 */
export class UploadWindow {
  private readonly options: UploadWindowOptions;
  private cursor: number;
  private ackedThrough: number;
  private maxInFlight: number;
  private readonly readingsInFlight = new Map<number, number>();
  private readonly proofsInFlight = new Set<number>();
  private fail: ((error: unknown) => void) | undefined;

  constructor(options: UploadWindowOptions) {
    this.options = options;
    this.cursor = options.resumeAt;
    this.ackedThrough = options.resumeAt - 1;
    this.maxInFlight = options.maxInFlight;
  }

  /** Batches sent and not acknowledged yet. */
  get inFlight(): number {
    return this.cursor - 1 - this.ackedThrough;
  }

  /** Runs the window; rejects with why the stream ended (it never ends well: uploading goes on until it fails or is cancelled). */
  run(): Promise<never> {
    const { call } = this.options;
    return new Promise<never>((_, reject) => {
      this.fail = (error) => {
        this.fail = undefined;
        reject(error instanceof Error ? error : new GatewayError("the upload stream failed", { error: String(error) }));
        call.cancel();
      };
      call.on("data", (response: UploadResponse) => {
        try {
          this.receive(response);
          this.send();
        } catch (error) {
          this.fail?.(error);
        }
      });
      call.on("error", (error: Error) => this.fail?.(error));
      call.on("end", () => this.fail?.(new GatewayError("the relay closed the upload stream")));
      this.pump();
    }).finally(() => this.options.outbox.flushAcknowledgements());
  }

  /** Sends what the window has room for; a batch that cannot be sent ends the stream. */
  pump(): void {
    try {
      this.send();
    } catch (error) {
      this.fail?.(error);
    }
  }

  /** New batches first, then proofs of batches already sent. */
  private send(): void {
    if (!this.fail) return;
    const { call, outbox } = this.options;
    while (this.inFlight < this.maxInFlight) {
      const next = outbox.outgoing(this.cursor);
      if (!next) break;
      call.write({ message: { $case: "batch", value: next } });
      this.readingsInFlight.set(this.cursor, next.batch?.readingCount ?? 0);
      this.cursor++;
    }
    const room = this.maxInFlight - this.proofsInFlight.size;
    if (room <= 0) return;
    for (const proof of outbox.proofsToUpload(this.cursor - 1, room + this.proofsInFlight.size)) {
      if (this.proofsInFlight.has(proof.sequence) || this.proofsInFlight.size >= this.maxInFlight) continue;
      call.write({
        message: {
          $case: "proof",
          value: { sequence: proof.sequence, proof: Buffer.from(proof.proofJson), publicSignals: proof.publicSignals },
        },
      });
      this.proofsInFlight.add(proof.sequence);
    }
  }

  private receive(response: UploadResponse): void {
    const { outbox, onAcked, logger } = this.options;
    const message = response.message;
    if (message?.$case === "ack") {
      const { sequence } = message.value;
      if (sequence !== this.ackedThrough + 1 || sequence >= this.cursor) {
        throw new UploadProtocolError("relay acked out of order", { expected: this.ackedThrough + 1, got: sequence });
      }
      outbox.acknowledge(sequence);
      this.ackedThrough = sequence;
      onAcked(sequence, this.readingsInFlight.get(sequence) ?? 0);
      this.readingsInFlight.delete(sequence);
    } else if (message?.$case === "proofAck") {
      const { sequence, valid } = message.value;
      if (!this.proofsInFlight.delete(sequence)) {
        throw new UploadProtocolError("the relay judged a proof that was not sent", { sequence });
      }
      outbox.recordProofVerdict(sequence, valid);
      if (!valid) logger.error({ sequence }, "the relay found a batch proof invalid");
    } else if (message?.$case === "flowControl") {
      this.maxInFlight = Math.max(1, message.value.maxInFlight);
    }
  }
}

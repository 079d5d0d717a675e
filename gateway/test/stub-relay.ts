import { credentials, Metadata, Server, ServerCredentials, status } from "@grpc/grpc-js";
import {
  batchHash,
  GatewayRelayServiceClient,
  GatewayRelayServiceService,
  recoverRegistrationSigner,
  ZERO_BATCH_HASH,
  type AnchoredBatch,
  type GatewayRelayServiceServer,
  type SignedBatch,
  type UploadRequest,
} from "@intelledger/proto/relay";

type Handler<Name extends keyof GatewayRelayServiceServer> = Parameters<GatewayRelayServiceServer[Name]>;

/** A refusal the stub answers with: a gRPC status, its message and trailing metadata. */
export interface StubRefusal {
  code: status;
  details: string;
  metadata?: Record<string, string>;
}

/** What the stub does when a batch arrives: store and ack it, or end the stream with a refusal. */
export type BatchVerdict = "store" | StubRefusal;

function toStatus(refusal: StubRefusal) {
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(refusal.metadata ?? {})) metadata.set(key, value);
  return { code: refusal.code, details: refusal.details, metadata };
}

/**
 * A relay at the gRPC service level, in process and without TLS, for the uplink's unit tests:
 * it checks registrations' signatures, keeps the batches it stored (in memory, in order), acks
 * them, judges proofs valid, and lets a test refuse any call with any status. The real relay
 * is tested against the real gateway in scripts/system.
 */
export class StubRelay {
  readonly stored: SignedBatch[] = [];
  readonly registrations: { atMs: number; request: Handler<"register">[0]["request"] }[] = [];
  readonly heartbeats: Handler<"heartbeat">[0]["request"][] = [];
  readonly proofs: number[] = [];
  /** Answers registrations with this refusal while set. */
  refuseRegistration: StubRefusal | undefined;
  /** Decides each batch's fate; stores every batch by default. */
  judge: (signed: SignedBatch) => BatchVerdict = () => "store";
  /** The relay's clock as it tells it. */
  relayTimeMs: () => number = Date.now;
  /** What heartbeats answer as the gateway's newest anchored batch. */
  lastAnchored: AnchoredBatch | undefined;
  /** Registrations whose timestamp is further than this from the relay's clock are refused, as the relay does. */
  registrationWindowMs = Number.POSITIVE_INFINITY;
  maxInFlight = 4;
  private readonly server = new Server();
  private port = 0;

  async start(): Promise<void> {
    const service: GatewayRelayServiceServer = {
      register: (call, callback) => this.register(call.request, callback),
      heartbeat: (call, callback) => {
        this.heartbeats.push(call.request);
        callback(null, { relayTimeMs: this.relayTimeMs(), lastAnchored: this.lastAnchored });
      },
      upload: (call) => this.upload(call),
    };
    this.server.addService(GatewayRelayServiceService, service);
    this.port = await new Promise<number>((resolve, reject) =>
      this.server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (error, port) =>
        error ? reject(error) : resolve(port),
      ),
    );
  }

  /** A client of this stub, as the gateway makes one for the real relay (without TLS). */
  client(): GatewayRelayServiceClient {
    return new GatewayRelayServiceClient(`127.0.0.1:${this.port}`, credentials.createInsecure());
  }

  stop(): void {
    this.server.forceShutdown();
  }

  private register(request: Handler<"register">[0]["request"], callback: Handler<"register">[1]): void {
    this.registrations.push({ atMs: Date.now(), request });
    if (this.refuseRegistration) return callback(toStatus(this.refuseRegistration));
    if (Math.abs(request.timestampMs - this.relayTimeMs()) > this.registrationWindowMs) {
      return callback(
        toStatus({
          code: status.FAILED_PRECONDITION,
          details: "the registration's timestamp is outside the relay's window",
          metadata: { "x-detail-reason": "registration_clock", "x-detail-relay-time-ms": String(this.relayTimeMs()) },
        }),
      );
    }
    if (recoverRegistrationSigner(request.gatewayId, request.timestampMs, request.signature) !== request.gatewayId) {
      return callback({ code: status.UNAUTHENTICATED, details: "registration is not signed by the gateway's key" });
    }
    const last = this.stored.at(-1)?.batch;
    callback(null, {
      nextSequence: this.stored.length + 1,
      lastBatchHash: last ? batchHash(last) : ZERO_BATCH_HASH,
      relayTimeMs: this.relayTimeMs(),
      flowControl: { maxInFlight: this.maxInFlight },
      lastGatewaySeq: last?.lastGatewaySeq ?? 0,
    });
  }

  private upload(call: Handler<"upload">[0]): void {
    let failed = false;
    call.on("data", (request: UploadRequest) => {
      if (failed) return;
      const message = request.message;
      if (message?.$case === "proof") {
        this.proofs.push(message.value.sequence);
        const value = { sequence: message.value.sequence, valid: true, alreadyRecorded: false };
        call.write({ message: { $case: "proofAck", value } });
        return;
      }
      if (message?.$case !== "batch" || !message.value.batch) return;
      const signed = message.value;
      const batch = message.value.batch;
      const verdict = this.judge(signed);
      if (verdict !== "store") {
        failed = true;
        call.emit("error", toStatus(verdict));
        return;
      }
      if (batch.sequence === this.stored.length + 1) this.stored.push(signed);
      call.write({ message: { $case: "ack", value: { sequence: batch.sequence, batchHash: batchHash(batch) } } });
    });
    call.on("end", () => call.end());
  }
}

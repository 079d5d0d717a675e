import type { ServerDuplexStream, ServerUnaryCall, sendUnaryData } from "@grpc/grpc-js";
import {
  batchHash,
  recoverRegistrationSigner,
  ZERO_BATCH_HASH,
  type GatewayRelayServiceServer,
  type HeartbeatRequest,
  type HeartbeatResponse,
  type RegisterRequest,
  type RegisterResponse,
  type SignedBatch,
  type UploadRequest,
  type UploadResponse,
} from "@intelledger/proto/relay";
import type { Logger } from "pino";
import { RelayError } from "../errors.js";
import type { BatchLedger } from "../store/batch-ledger.js";
import type { BatchVerifier } from "../verification/batch-verifier.js";
import { toStatus } from "./error-status.js";
import { peerGatewayId } from "./peer-identity.js";

export interface UploadCounters {
  batchesStored: number;
  readingsStored: number;
  duplicatesAcked: number;
  rejected: number;
}

export interface ServiceDeps {
  ledger: BatchLedger;
  verifier: BatchVerifier;
  logger: Logger;
  maxInFlight: number;
  counters: UploadCounters;
}

function unary<Req, Res>(logger: Logger, handle: (call: ServerUnaryCall<Req, Res>) => Res) {
  return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => {
    try {
      callback(null, handle(call));
    } catch (error) {
      logger.warn({ err: error, peer: call.getPeer() }, "call refused");
      callback(toStatus(error));
    }
  };
}

/** The gateway-facing gRPC service: registration, heartbeats, and the batch upload stream. */
export function createGatewayRelayService(deps: ServiceDeps): GatewayRelayServiceServer {
  const { ledger, verifier, logger, counters } = deps;

  /** Stores the batch, or recognises one already stored; returns the ack to send. */
  function accept(gatewayId: string, signed: SignedBatch): UploadResponse {
    const sequence = signed.batch?.sequence ?? 0;
    const head = ledger.head(gatewayId);
    if (signed.batch && head && sequence <= head.sequence) {
      // A resend of a batch the relay acked before (its ack was lost): ack it again.
      // The stored copy was verified when it arrived; the resent readings are not used.
      const stored = ledger.get(gatewayId, sequence);
      if (!stored || !Buffer.from(batchHash(signed.batch)).equals(Buffer.from(stored.batchHash))) {
        throw new RelayError("already_exists", `batch ${sequence} is already stored with different content`, { sequence });
      }
      counters.duplicatesAcked++;
      return { message: { $case: "ack", value: { sequence, batchHash: stored.batchHash } } };
    }
    const verified = verifier.verify(signed, gatewayId, head, Date.now());
    ledger.append(verified);
    counters.batchesStored++;
    counters.readingsStored += verified.readingCount;
    return { message: { $case: "ack", value: { sequence, batchHash: verified.batchHash } } };
  }

  return {
    register: unary(logger, (call: ServerUnaryCall<RegisterRequest, RegisterResponse>): RegisterResponse => {
      const gatewayId = peerGatewayId(call);
      const { request } = call;
      if (request.gatewayId !== gatewayId) {
        throw new RelayError("permission_denied", "registration names another gateway than the TLS client", {
          gatewayId: request.gatewayId,
        });
      }
      let signer: string;
      try {
        signer = recoverRegistrationSigner(request.gatewayId, request.timestampMs, request.signature);
      } catch (cause) {
        throw new RelayError("unauthenticated", "registration signature is malformed", {}, { cause });
      }
      if (signer !== gatewayId)
        throw new RelayError("unauthenticated", "registration is not signed by the gateway's key", { signer });
      ledger.touchGateway(gatewayId, Date.now());
      const head = ledger.head(gatewayId);
      logger.info({ gatewayId, nextSequence: (head?.sequence ?? 0) + 1 }, "gateway registered");
      return {
        nextSequence: (head?.sequence ?? 0) + 1,
        lastBatchHash: head?.batchHash ?? ZERO_BATCH_HASH,
        relayTimeMs: Date.now(),
        flowControl: { maxInFlight: deps.maxInFlight },
      };
    }),

    heartbeat: unary(logger, (call: ServerUnaryCall<HeartbeatRequest, HeartbeatResponse>): HeartbeatResponse => {
      const gatewayId = peerGatewayId(call);
      ledger.recordHeartbeat(gatewayId, Date.now(), {
        batches: call.request.backlogBatches,
        readings: call.request.backlogReadings,
      });
      return { relayTimeMs: Date.now() };
    }),

    upload(call: ServerDuplexStream<UploadRequest, UploadResponse>) {
      let gatewayId: string;
      try {
        gatewayId = peerGatewayId(call);
      } catch (error) {
        call.emit("error", toStatus(error));
        return;
      }
      let failed = false;
      call.on("data", (request: UploadRequest) => {
        if (failed) return;
        try {
          if (request.message?.$case !== "batch")
            throw new RelayError("invalid_argument", "upload message carries nothing the relay knows");
          call.write(accept(gatewayId, request.message.value));
        } catch (error) {
          failed = true;
          counters.rejected++;
          logger.warn({ err: error, gatewayId }, "batch refused");
          call.emit("error", toStatus(error));
        }
      });
      call.on("end", () => {
        if (!failed) call.end();
      });
    },
  };
}

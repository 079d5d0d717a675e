import type { ServerDuplexStream, ServerUnaryCall, sendUnaryData } from "@grpc/grpc-js";
import {
  recoverRegistrationSigner,
  ZERO_BATCH_HASH,
  type GatewayRelayServiceServer,
  type HeartbeatRequest,
  type HeartbeatResponse,
  type RegisterRequest,
  type RegisterResponse,
  type UploadRequest,
  type UploadResponse,
} from "@intelledger/proto/relay";
import type { Logger } from "pino";
import { RelayError } from "../errors.js";
import type { BatchLedger } from "../store/batch-ledger.js";
import type { ProofLedger } from "../store/proof-ledger.js";
import type { GatewayBoots } from "../store/gateway-boots.js";
import type { BatchVerifier } from "../verification/batch-verifier.js";
import type { VerificationPool } from "../verification/verification-pool.js";
import { toStatus } from "./error-status.js";
import { peerGatewayId } from "./peer-identity.js";
import type { UploadCounters } from "./upload-counters.js";
import { UploadSession } from "./upload-session.js";
import type { UploadFlowControl } from "./upload-flow-control.js";

export interface ServiceDeps {
  ledger: BatchLedger;
  proofs: ProofLedger;
  boots: GatewayBoots;
  verifier: BatchVerifier;
  verification: VerificationPool;
  flowControl: UploadFlowControl;
  logger: Logger;
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
  const { ledger, proofs, boots, verifier, verification, flowControl, logger, counters } = deps;

  /** Notes that the gateway is alive, and where its host's current boot began by the relay's clock. */
  function recordContact(gatewayId: string, boot: number, uptimeMs: number): void {
    ledger.touchGateway(gatewayId, Date.now());
    if (boot > 0) boots.record(gatewayId, boot, uptimeMs, Date.now());
  }

  return {
    register: unary(logger, (call: ServerUnaryCall<RegisterRequest, RegisterResponse>): RegisterResponse => {
      const { request } = call;
      const gatewayId = peerGatewayId(call);
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
      recordContact(gatewayId, request.boot, request.uptimeMs);
      const head = ledger.head(gatewayId);
      logger.info({ gatewayId, nextSequence: (head?.sequence ?? 0) + 1 }, "gateway registered");
      return {
        nextSequence: (head?.sequence ?? 0) + 1,
        lastBatchHash: head?.batchHash ?? ZERO_BATCH_HASH,
        relayTimeMs: Date.now(),
        flowControl: { maxInFlight: flowControl.share() },
      };
    }),

    heartbeat: unary(logger, (call: ServerUnaryCall<HeartbeatRequest, HeartbeatResponse>): HeartbeatResponse => {
      const { request } = call;
      const gatewayId = peerGatewayId(call);
      recordContact(gatewayId, request.boot, request.uptimeMs);
      ledger.recordHeartbeat(gatewayId, Date.now(), { batches: request.backlogBatches, readings: request.backlogReadings });
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
      const fail = (error: unknown) => {
        if (failed) return;
        failed = true;
        counters.rejected++;
        logger.warn({ err: error, gatewayId }, "batch refused");
        call.emit("error", toStatus(error));
      };
      const session = new UploadSession(gatewayId, {
        ledger,
        proofs,
        verifier,
        verification,
        counters,
        logger,
        send: (response) => call.write(response),
        fail,
      });
      const closeFlow = flowControl.open({
        setMaxInFlight: (maxInFlight) => {
          if (!failed) call.write({ message: { $case: "flowControl", value: { maxInFlight } } });
        },
      });
      call.on("data", (request: UploadRequest) => {
        if (failed) return;
        const message = request.message;
        if (message?.$case === "batch") session.receive(message.value);
        else if (message?.$case === "proof") session.receiveProof(message.value);
        else fail(new RelayError("invalid_argument", "upload message carries nothing the relay knows"));
      });
      call.on("end", () => {
        void session.settled().then((ok) => {
          if (ok && !failed) call.end();
        });
      });
      call.on("close", closeFlow);
      call.on("error", closeFlow);
    },
  };
}

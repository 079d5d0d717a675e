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
import type { GatewayBoots } from "../store/gateway-boots.js";
import type { BatchVerifier } from "../verification/batch-verifier.js";
import type { ReadingsRootPool } from "../verification/readings-root-pool.js";
import { toStatus } from "./error-status.js";
import { peerGatewayId } from "./peer-identity.js";
import type { UploadFlowControl } from "./upload-flow-control.js";

export interface UploadCounters {
  batchesStored: number;
  readingsStored: number;
  duplicatesAcked: number;
  gapsRecorded: number;
  rejected: number;
}

export interface ServiceDeps {
  ledger: BatchLedger;
  boots: GatewayBoots;
  verifier: BatchVerifier;
  roots: ReadingsRootPool;
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

function ack(sequence: number, hash: Uint8Array): UploadResponse {
  return { message: { $case: "ack", value: { sequence, batchHash: hash } } };
}

/** The gateway-facing gRPC service: registration, heartbeats, and the batch upload stream. */
export function createGatewayRelayService(deps: ServiceDeps): GatewayRelayServiceServer {
  const { ledger, boots, verifier, roots, flowControl, logger, counters } = deps;

  /** Stores the batch, or recognises one already stored; returns the ack to send once it is durable. */
  async function accept(gatewayId: string, signed: SignedBatch, root: Promise<bigint> | undefined): Promise<UploadResponse> {
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
      return ack(sequence, stored.batchHash);
    }
    const checked = verifier.check(signed, gatewayId, head, (dataClass) => ledger.classHead(gatewayId, dataClass), Date.now());
    if (checked.rootToVerify !== undefined && (await (root as Promise<bigint>)) !== checked.rootToVerify) {
      throw new RelayError("invalid_argument", `batch ${sequence} readings do not match its signed root`, { sequence });
    }
    ledger.append(checked.batch, checked.gap);
    counters.batchesStored++;
    if (checked.gap) {
      counters.gapsRecorded++;
      logger.warn(
        { gatewayId, sequence, reason: checked.gap.reason, readings: checked.gap.readingCount },
        "gateway declared a gap",
      );
    } else {
      counters.readingsStored += checked.batch.readingCount;
    }
    return ack(sequence, checked.batch.batchHash);
  }

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
      // Batches are stored strictly in order, but each one's root is hashed as soon as it
      // arrives, so the worker threads work ahead on the batches in flight.
      let stored: Promise<void> = Promise.resolve();
      const closeFlow = flowControl.open({
        setMaxInFlight: (maxInFlight) => {
          if (!failed) call.write({ message: { $case: "flowControl", value: { maxInFlight } } });
        },
      });
      const fail = (error: unknown) => {
        if (failed) return;
        failed = true;
        counters.rejected++;
        logger.warn({ err: error, gatewayId }, "batch refused");
        call.emit("error", toStatus(error));
      };
      call.on("data", (request: UploadRequest) => {
        if (failed) return;
        if (request.message?.$case !== "batch") {
          fail(new RelayError("invalid_argument", "upload message carries nothing the relay knows"));
          return;
        }
        const signed = request.message.value;
        const root = signed.batch && !signed.pruned ? roots.root(signed.batch.gatewayId, signed.batch.readings) : undefined;
        root?.catch(() => undefined);
        stored = stored.then(async () => {
          if (failed) return;
          try {
            call.write(await accept(gatewayId, signed, root));
          } catch (error) {
            fail(error);
          }
        });
      });
      call.on("end", () => {
        void stored.then(() => {
          if (!failed) call.end();
        });
      });
      call.on("close", closeFlow);
      call.on("error", closeFlow);
    },
  };
}

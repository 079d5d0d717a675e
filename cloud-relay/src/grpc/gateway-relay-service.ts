import {
  Metadata,
  type handleBidiStreamingCall,
  type handleUnaryCall,
  type ServerUnaryCall,
  type sendUnaryData,
} from "@grpc/grpc-js";
import type { ServerSurfaceCall } from "@grpc/grpc-js/build/src/server-call.js";
import {
  recoverRegistrationSigner,
  ZERO_BATCH_HASH,
  type HeartbeatRequest,
  type HeartbeatResponse,
  type RegisterRequest,
  type RegisterResponse,
  type UploadResponse,
} from "@intelledger/proto/relay";
import type { Logger } from "pino";
import { RelayRefusal } from "../errors.js";
import type { GatewayGate } from "../fleet/gateway-gate.js";
import type { AnchorLedger } from "../store/anchor-ledger.js";
import type { BatchLedger, GatewayContact } from "../store/batch-ledger.js";
import type { GatewayBoots } from "../store/gateway-boots.js";
import { toStatus } from "./error-status.js";
import type { GatewayChains } from "./gateway-chain.js";
import { callerOf, callingGateway, peerAddress, peerGatewayId } from "./peer-identity.js";
import type { RefusalRecorder, RefusedCall } from "./refusal-recorder.js";
import type { UploadFlowControl } from "./upload-flow-control.js";
import { REQUEST_ID_KEY, traceCarrier, uploadRequestId } from "./upload-metadata.js";
import type { UploadMessage } from "./upload-request-decoder.js";
import { UploadSession } from "./upload-session.js";

/** The handlers of the gateway service; uploads arrive decoded by the relay's own decoder. */
export interface RelayServiceHandlers {
  register: handleUnaryCall<RegisterRequest, RegisterResponse>;
  heartbeat: handleUnaryCall<HeartbeatRequest, HeartbeatResponse>;
  upload: handleBidiStreamingCall<UploadMessage, UploadResponse>;
}

export interface ServiceDeps {
  ledger: BatchLedger;
  anchors: Pick<AnchorLedger, "lastAnchoredBatch">;
  boots: GatewayBoots;
  chains: GatewayChains;
  flowControl: UploadFlowControl;
  refusals: RefusalRecorder;
  /** Revocations, allowlists and rate limits. */
  gate: GatewayGate;
  /** How far a registration's timestamp may be from the relay's clock, either way. */
  registrationWindowMs: number;
  /** Upload streams log through a child of it carrying their request id. */
  logger: Logger;
}

/** The gateway-facing gRPC service: registration, heartbeats, and the batch upload stream. */
export function createGatewayRelayService(deps: ServiceDeps): RelayServiceHandlers {
  const { ledger, anchors, boots, chains, flowControl, refusals, gate, registrationWindowMs, logger } = deps;

  function unary<Req, Res>(rpc: RefusedCall["rpc"], handle: (call: ServerUnaryCall<Req, Res>) => Promise<Res>) {
    return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => {
      Promise.resolve()
        .then(() => handle(call))
        .then(
          (response) => callback(null, response),
          (error: unknown) => {
            refusals.record({ rpc, caller: callerOf(call) }, error);
            callback(toStatus(error));
          },
        );
    };
  }

  /** The certificate's gateway, once it is known to be the one the request names and neither revoked nor calling from outside its allowlist. */
  async function admitted(call: ServerUnaryCall<unknown, unknown>, namedGatewayId: string, what: string): Promise<string> {
    const gatewayId = callingGateway(call, namedGatewayId, what);
    await gate.admit(gatewayId, peerAddress(call));
    return gatewayId;
  }

  /**
   * Notes that the gateway is alive, where it calls from, what it says of itself (software
   * version, its clock against the relay's), and where its host's current boot began by the relay's clock.
   */
  async function recordContact(
    call: ServerSurfaceCall,
    gatewayId: string,
    reported: { boot: number; uptimeMs: number; softwareVersion: string; gatewayTimeMs: number },
    nowMs: number,
  ) {
    const contact: GatewayContact = { address: peerAddress(call), clockOffsetMs: reported.gatewayTimeMs - nowMs };
    if (reported.softwareVersion !== "") contact.softwareVersion = reported.softwareVersion;
    await ledger.touchGateway(gatewayId, nowMs, contact);
    if (reported.boot > 0) await boots.record(gatewayId, reported.boot, reported.uptimeMs, nowMs);
  }

  return {
    register: unary("register", async (call: ServerUnaryCall<RegisterRequest, RegisterResponse>): Promise<RegisterResponse> => {
      const { request } = call;
      const gatewayId = await admitted(call, request.gatewayId, "registration");
      let signer: string;
      try {
        signer = recoverRegistrationSigner(request.gatewayId, request.timestampMs, request.signature);
      } catch (cause) {
        throw new RelayRefusal("unauthenticated", "registration_signature", "registration signature is malformed", {}, { cause });
      }
      if (signer !== gatewayId) {
        throw new RelayRefusal("unauthenticated", "registration_signature", "registration is not signed by the gateway's key", {
          signer,
        });
      }
      const nowMs = Date.now();
      if (Math.abs(request.timestampMs - nowMs) > registrationWindowMs) {
        throw new RelayRefusal(
          "failed_precondition",
          "registration_clock",
          `registration timestamp ${request.timestampMs} is more than ${registrationWindowMs} ms from the relay's clock; sign again with the relay's time`,
          { timestampMs: request.timestampMs, relayTimeMs: nowMs, windowMs: registrationWindowMs },
        );
      }
      await recordContact(call, gatewayId, { ...request, gatewayTimeMs: request.timestampMs }, nowMs);
      const head = await ledger.head(gatewayId);
      const nextSequence = (head?.sequence ?? 0) + 1;
      const { frontier } = await ledger.accounting(gatewayId, head?.sequence ?? 0);
      return {
        nextSequence,
        lastBatchHash: head?.batchHash ?? ZERO_BATCH_HASH,
        relayTimeMs: nowMs,
        flowControl: { maxInFlight: flowControl.share() },
        lastGatewaySeq: frontier,
      };
    }),

    heartbeat: unary(
      "heartbeat",
      async (call: ServerUnaryCall<HeartbeatRequest, HeartbeatResponse>): Promise<HeartbeatResponse> => {
        const { request } = call;
        const gatewayId = await admitted(call, request.gatewayId, "heartbeat");
        const nowMs = Date.now();
        await recordContact(call, gatewayId, { ...request, gatewayTimeMs: request.sentAtMs }, nowMs);
        await ledger.recordHeartbeat(gatewayId, nowMs, { batches: request.backlogBatches, readings: request.backlogReadings });
        return { relayTimeMs: nowMs, lastAnchored: await anchors.lastAnchoredBatch(gatewayId) };
      },
    ),

    upload(call) {
      const requestId = uploadRequestId(call.metadata);
      const withRequestId = (status: ReturnType<typeof toStatus>) => {
        status.metadata?.set(REQUEST_ID_KEY, requestId);
        return status;
      };
      let gatewayId: string;
      try {
        gatewayId = peerGatewayId(call);
      } catch (error) {
        refusals.record({ rpc: "upload", caller: callerOf(call), requestId }, error);
        call.emit("error", withRequestId(toStatus(error)));
        return;
      }
      const address = peerAddress(call);
      const headers = new Metadata();
      headers.set(REQUEST_ID_KEY, requestId);
      call.sendMetadata(headers);
      const streamLogger = logger.child({ requestId, gatewayId });
      streamLogger.info({ peer: address }, "upload stream opened");
      const { chain, release } = chains.acquire(gatewayId);
      const session = new UploadSession(
        chain,
        {
          send: (response) => call.write(response),
          refuse: (error) => {
            refusals.record({ rpc: "upload", caller: gatewayId, requestId }, error);
            call.emit("error", withRequestId(toStatus(error)));
          },
        },
        { requestId, logger: streamLogger, traceCarrier: traceCarrier(call.metadata) },
      );
      const closeFlow = flowControl.open({
        setMaxInFlight: (maxInFlight) => session.send({ message: { $case: "flowControl", value: { maxInFlight } } }),
      });
      let closed = false;
      const close = () => {
        if (closed) return;
        closed = true;
        closeFlow();
        release();
        unwatch();
        streamLogger.info({ refused: session.failed }, "upload stream closed");
      };
      // The gate's refusal (rate limit, revocation, allowlist) ends the stream once everything sent
      // before it is answered: what was admitted is stored and acknowledged, nothing after it is read.
      let gateRefused = false;
      const refuseByGate = (refusal: unknown) => {
        if (gateRefused) return;
        gateRefused = true;
        void session.settled().then(() => session.fail(refusal));
      };
      const unwatch = gate.watch(gatewayId, address, refuseByGate);
      const deliver = (message: UploadMessage) => {
        if (session.failed || gateRefused) return;
        if (message.kind === "batch") {
          try {
            gate.admitBatch(gatewayId, address);
          } catch (error) {
            refuseByGate(error);
            return;
          }
        }
        session.receive(message);
      };
      // Messages that arrive while the stream's admission is read from the database wait, in order.
      let held: UploadMessage[] | undefined = [];
      const admission = gate.admit(gatewayId, address).then(
        () => {
          const waiting = held ?? [];
          held = undefined;
          for (const message of waiting) deliver(message);
        },
        (error: unknown) => {
          held = undefined;
          session.fail(error);
        },
      );
      call.on("data", (message: UploadMessage) => (held ? held.push(message) : deliver(message)));
      call.on("end", () => {
        void admission
          .then(() => session.settled())
          .then((ok) => {
            if (ok) call.end();
          });
      });
      call.on("close", close);
      call.on("error", close);
    },
  };
}

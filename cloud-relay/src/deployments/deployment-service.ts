import type { sendUnaryData, ServerUnaryCall } from "@grpc/grpc-js";
import {
  DeploymentOutcome,
  type DeploymentServiceServer,
  type FetchDeploymentRequest,
  type FetchDeploymentResponse,
  type ReportDeploymentRequest,
  type ReportDeploymentResponse,
} from "@intelledger/proto/relay";
import type { Logger } from "pino";
import { RelayRefusal } from "../errors.js";
import { toStatus } from "../grpc/error-status.js";
import { callingGateway } from "../grpc/peer-identity.js";
import type { DeploymentStore, ReportedOutcome } from "./deployment-store.js";

const OUTCOMES: Partial<Record<DeploymentOutcome, ReportedOutcome>> = {
  [DeploymentOutcome.DEPLOYMENT_OUTCOME_APPLIED]: "applied",
  [DeploymentOutcome.DEPLOYMENT_OUTCOME_ROLLED_BACK]: "rolled-back",
  [DeploymentOutcome.DEPLOYMENT_OUTCOME_INVALID]: "invalid",
  [DeploymentOutcome.DEPLOYMENT_OUTCOME_REFUSED]: "refused",
};

/** Gateways fetch the deployment meant for them and report what became of it. */
export function createDeploymentService(store: DeploymentStore, logger: Logger): DeploymentServiceServer {
  function unary<Req, Res>(handle: (call: ServerUnaryCall<Req, Res>) => Res) {
    return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => {
      try {
        callback(null, handle(call));
      } catch (error) {
        logger.warn({ err: error, peer: call.getPeer() }, "deployment call refused");
        callback(toStatus(error));
      }
    };
  }
  return {
    fetchDeployment: unary<FetchDeploymentRequest, FetchDeploymentResponse>((call) => {
      const gatewayId = callingGateway(call, call.request.gatewayId, "the request");
      store.recordFetch(gatewayId, call.request.appliedVersion);
      const desired = store.desiredFor(gatewayId);
      if (!desired) return {};
      return {
        deployment: {
          document: desired.document,
          signature: desired.signature,
          signerCertificatePem: store.signerCertificatePem,
        },
      };
    }),
    reportDeployment: unary<ReportDeploymentRequest, ReportDeploymentResponse>((call) => {
      const gatewayId = callingGateway(call, call.request.gatewayId, "the request");
      const outcome = OUTCOMES[call.request.outcome];
      if (!outcome) throw new RelayRefusal("invalid_argument", "malformed_message", "the report names no outcome");
      const { version, detail, revision } = call.request;
      store.recordReport(gatewayId, { version, outcome, detail, revision });
      logger.info({ gatewayId, version, outcome, detail }, "a gateway reported a deployment");
      return {};
    }),
  };
}

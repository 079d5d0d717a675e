import type { sendUnaryData, ServerUnaryCall } from "@grpc/grpc-js";
import type { FetchReceiptRequest, FetchReceiptResponse, ReceiptServiceServer } from "@intelledger/proto/relay";
import { RelayError, RelayRefusal } from "../errors.js";
import type { GatewayGate } from "../fleet/gateway-gate.js";
import { toStatus } from "../grpc/error-status.js";
import { callerOf, callingGateway, peerAddress } from "../grpc/peer-identity.js";
import type { RefusalRecorder } from "../grpc/refusal-recorder.js";
import type { ReceiptBuilder } from "./receipt-builder.js";

/**
 * Gateways fetch the receipts of their own readings over their mutual-TLS channel, so an
 * enrolled gateway needs no credential of the relay's HTTP API. A receipt that does not
 * exist yet (not stored, not anchored) is an answer, not a refusal: only refusals and the
 * relay's own faults are counted and logged.
 */
export function createReceiptService(deps: {
  receipts: Pick<ReceiptBuilder, "build">;
  gate: Pick<GatewayGate, "admit">;
  refusals: RefusalRecorder;
}): ReceiptServiceServer {
  const { receipts, gate, refusals } = deps;

  async function fetchReceipt(call: ServerUnaryCall<FetchReceiptRequest, FetchReceiptResponse>): Promise<FetchReceiptResponse> {
    const gatewayId = callingGateway(call, call.request.gatewayId, "the receipt request");
    await gate.admit(gatewayId, peerAddress(call));
    return { receiptJson: JSON.stringify(await receipts.build(gatewayId, call.request.gatewaySeq)) };
  }

  return {
    fetchReceipt(call, callback: sendUnaryData<FetchReceiptResponse>) {
      fetchReceipt(call).then(
        (response) => callback(null, response),
        (error: unknown) => {
          if (error instanceof RelayRefusal || !(error instanceof RelayError)) {
            refusals.record({ rpc: "fetch_receipt", caller: callerOf(call) }, error);
          }
          callback(toStatus(error));
        },
      );
    },
  };
}

import { Metadata, status, type ServiceError } from "@grpc/grpc-js";
import { ReceiptServiceClient, type FetchReceiptResponse } from "@intelledger/proto/relay";
import { ConflictError, NotFoundError, UpstreamError } from "../errors.js";
import { relayChannel, type RelayEndpoint } from "../uplink/relay-client.js";

/** A relay proves a receipt's disclosure when it is first asked for: seconds, more while its prover starts. */
const RELAY_TIMEOUT_MS = 120_000;

function fetchFromRelay(relay: RelayEndpoint, gatewayId: string, gatewaySeq: number): Promise<FetchReceiptResponse> {
  const channel = relayChannel(relay);
  const client = new ReceiptServiceClient(channel.address, channel.credentials, channel.options);
  return new Promise<FetchReceiptResponse>((resolve, reject) => {
    client.fetchReceipt(
      { gatewayId, gatewaySeq },
      new Metadata(),
      { deadline: new Date(Date.now() + RELAY_TIMEOUT_MS) },
      (error, response) => (error ? reject(error) : resolve(response)),
    );
  }).finally(() => client.close());
}

/** What the gateway can tell its caller about a relay's refusal, by its status. */
function explained(error: ServiceError, relay: RelayEndpoint, gatewaySeq: number): Error {
  if (error.code === status.NOT_FOUND || error.code === status.FAILED_PRECONDITION) {
    return new NotFoundError(
      `the relay has no receipt for reading ${gatewaySeq} yet (${error.details}): its batch may not be acknowledged or anchored yet; try again later`,
    );
  }
  if (error.code === status.PERMISSION_DENIED || error.code === status.UNAUTHENTICATED) {
    return new UpstreamError(
      `the relay refused the gateway (${error.details}): it may have been revoked, or its certificate is not the relay's`,
    );
  }
  if (error.code === status.UNAVAILABLE || error.code === status.DEADLINE_EXCEEDED) {
    return new UpstreamError(`the relay at ${relay.address} did not answer (${error.details}); try again later`);
  }
  return new UpstreamError(`the relay could not give reading ${gatewaySeq}'s receipt: ${error.details}`);
}

/**
 * Fetches the receipt of one of this gateway's readings from its relay, over the same
 * mutual-TLS channel as its uploads (ReceiptService.FetchReceipt): the reading, its signed
 * batch, the path to the anchored root and the anchor's transaction. Answers the receipt's
 * JSON as the relay built it; says what to do when the relay cannot give it.
 */
export async function fetchReceipt(
  relay: RelayEndpoint | undefined,
  gatewayId: string,
  gatewaySeq: number,
): Promise<Record<string, unknown>> {
  if (!relay) {
    throw new ConflictError("the gateway has no relay to fetch receipts from: enroll it with a relay (POST /api/uplink/enroll)");
  }
  let response: FetchReceiptResponse;
  try {
    response = await fetchFromRelay(relay, gatewayId, gatewaySeq);
  } catch (error) {
    if (typeof (error as ServiceError).code === "number") throw explained(error as ServiceError, relay, gatewaySeq);
    throw new UpstreamError(`the relay at ${relay.address} cannot be reached: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(response.receiptJson) as Record<string, unknown>;
  } catch {
    throw new UpstreamError(`the relay answered reading ${gatewaySeq}'s receipt with something other than JSON`);
  }
}

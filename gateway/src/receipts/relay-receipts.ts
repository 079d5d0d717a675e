import { readFileSync } from "node:fs";
import { ConflictError, NotFoundError, UpstreamError } from "../errors.js";

/** Where the relay's HTTP API is (the configuration's relay.api). */
export interface RelayApiAddress {
  url: string;
  tokenFile?: string | undefined;
}

/** A relay proves a receipt's disclosure when it is first asked for: seconds, more while its prover starts. */
const RELAY_TIMEOUT_MS = 120_000;

/**
 * Fetches the receipt of one of this gateway's readings from the relay's HTTP API
 * (`GET /v1/receipts/<gateway>/<gatewaySeq>`), as the relay builds it: the reading, its
 * signed batch, the path to the anchored root and the anchor's transaction. Answers the
 * receipt's JSON as the relay sent it; says what to do when the relay cannot give it.
 */
export async function fetchReceipt(
  api: RelayApiAddress | undefined,
  gatewayId: string,
  gatewaySeq: number,
): Promise<Record<string, unknown>> {
  if (!api) {
    throw new ConflictError(
      "the relay's HTTP API is not configured: set relay.api.url (and relay.api.tokenFile) in the configuration",
    );
  }
  const headers: Record<string, string> = { accept: "application/json" };
  if (api.tokenFile) {
    let token: string;
    try {
      token = readFileSync(api.tokenFile, "utf8").trim();
    } catch (error) {
      throw new ConflictError(`relay.api.tokenFile ${api.tokenFile} cannot be read: ${(error as Error).message}`);
    }
    headers["authorization"] = `Bearer ${token}`;
  }
  const url = `${api.url.replace(/\/+$/, "")}/v1/receipts/${gatewayId}/${gatewaySeq}`;
  let response: Response;
  try {
    response = await fetch(url, { headers, signal: AbortSignal.timeout(RELAY_TIMEOUT_MS) });
  } catch (error) {
    throw new UpstreamError(`the relay's API at ${api.url} did not answer (${(error as Error).message}); check relay.api.url`);
  }
  const text = await response.text();
  if (response.status === 401) {
    throw new UpstreamError("the relay's API refused the gateway's token: check relay.api.tokenFile");
  }
  const refusal = () => {
    try {
      return (JSON.parse(text) as { error?: string }).error ?? `answered ${response.status}`;
    } catch {
      return `answered ${response.status}`;
    }
  };
  if (response.status === 404 || response.status === 409) {
    throw new NotFoundError(
      `the relay has no receipt for reading ${gatewaySeq} yet (${refusal()}): its batch may not be acknowledged or anchored yet; try again later`,
    );
  }
  if (!response.ok) throw new UpstreamError(`the relay's API could not give reading ${gatewaySeq}'s receipt: ${refusal()}`);
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new UpstreamError(`the relay's API answered reading ${gatewaySeq}'s receipt with something other than JSON`);
  }
}

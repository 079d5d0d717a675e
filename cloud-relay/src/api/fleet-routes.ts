import type { IncomingMessage, ServerResponse } from "node:http";
import { parseOrThrow } from "@intelledger/service-kit";
import { getAddress } from "ethers";
import { z } from "zod";
import { rateLimitSchema } from "../config.js";
import { RelayError } from "../errors.js";
import { parseCidr } from "../fleet/cidr-allowlist.js";
import { anchorStatus } from "../ops-commands.js";
import type { RelayStore } from "../store/relay-store.js";
import { json, jsonError, readJsonBody } from "./http-json.js";

const GATEWAY_ACTION = /^\/v1\/gateways\/(0x[0-9a-fA-F]{40})\/(revoke|reinstate|access|batches)$/;
const MAX_LISTED = 1_000;

const revokeBody = z.strictObject({ reason: z.string().max(200).optional() });
const accessBody = z.strictObject({
  /** CIDR blocks the gateway may call from; null lifts the allowlist. */
  allowedCidrs: z.array(z.string()).min(1).max(100).nullable().optional(),
  /** The gateway's own rate limit; null returns it to the configured default. */
  rateLimit: rateLimitSchema.nullable().optional(),
});

/** A whole number from the query, within bounds, or the default; a RelayError naming the parameter otherwise. */
function queryNumber(query: URLSearchParams, name: string, fallback: number | undefined, max: number): number | undefined {
  const text = query.get(name);
  if (text === null) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < 1 || value > max) {
    throw new RelayError("invalid_argument", `${name} must be a whole number from 1 to ${max}`);
  }
  return value;
}

function parsed<T>(schema: z.ZodType<T>, body: unknown): T {
  return parseOrThrow(schema, body, (problems) => new RelayError("invalid_argument", `invalid body: ${problems}`));
}

/**
 * The operators' side of the fleet beside GET /v1/gateways, under the API's bearer token:
 * `POST /v1/gateways/<gateway>/revoke` (`{"reason": "…"}` optional) and `/reinstate`,
 * `PATCH /v1/gateways/<gateway>/access` (`{"allowedCidrs": [...] | null, "rateLimit":
 * {"batchesPerSecond": n, "burst": n} | null}`), `GET /v1/gateways/<gateway>/batches`
 * (`?limit=` and `?before=<sequence>`), `GET /v1/anchors` (`?latest=`) and
 * `POST /v1/anchors/retry`. Answers whether it handled the path.
 */
export function fleetRoutes(store: Pick<RelayStore, "access" | "fleet" | "batchListing" | "anchors">) {
  async function gatewayAction(
    request: IncomingMessage,
    response: ServerResponse,
    gatewayId: string,
    action: string,
    query: URLSearchParams,
  ) {
    const nowMs = Date.now();
    if (action === "batches") {
      if (request.method !== "GET") return undefined;
      const limit = queryNumber(query, "limit", 50, MAX_LISTED) as number;
      const beforeSequence = queryNumber(query, "before", undefined, Number.MAX_SAFE_INTEGER);
      if (!(await store.fleet.show(gatewayId, nowMs)))
        throw new RelayError("not_found", `the relay knows no gateway ${gatewayId}`);
      return { gatewayId, batches: await store.batchListing.list(gatewayId, { beforeSequence, limit }) };
    }
    if (request.method !== (action === "access" ? "PATCH" : "POST")) return undefined;
    const body = await readJsonBody(request, response);
    if (body === undefined) return null;
    if (action === "revoke") return store.access.revoke(gatewayId, nowMs, parsed(revokeBody, body).reason);
    if (action === "reinstate") return store.access.reinstate(gatewayId, nowMs);
    const { allowedCidrs, rateLimit } = parsed(accessBody, body);
    if (allowedCidrs === undefined && rateLimit === undefined) {
      throw new RelayError("invalid_argument", "the body must set allowedCidrs, rateLimit or both");
    }
    if (allowedCidrs) allowedCidrs.forEach(parseCidr);
    if (allowedCidrs !== undefined) await store.access.allowFrom(gatewayId, allowedCidrs ?? undefined, nowMs);
    if (rateLimit !== undefined) await store.access.limitRate(gatewayId, rateLimit ?? undefined, nowMs);
    return store.access.get(gatewayId);
  }

  async function anchorsAction(request: IncomingMessage, path: string, query: URLSearchParams) {
    if (request.method === "GET" && path === "/v1/anchors") {
      return anchorStatus(store, queryNumber(query, "latest", 10, MAX_LISTED) as number);
    }
    if (request.method === "POST" && path === "/v1/anchors/retry") {
      const hurried = await store.anchors.hurrySubmitted();
      if (hurried.length === 0) {
        throw new RelayError("failed_precondition", "no anchoring transaction waits to be mined: there is nothing to retry");
      }
      return { retried: hurried.map(({ id, txHash, txNonce }) => ({ id, txHash, txNonce })) };
    }
    return undefined;
  }

  return (request: IncomingMessage, response: ServerResponse, path: string, query: URLSearchParams): boolean => {
    const action = GATEWAY_ACTION.exec(path);
    if (!action && path !== "/v1/anchors" && path !== "/v1/anchors/retry") return false;
    const work = action
      ? gatewayAction(request, response, getAddress((action[1] as string).toLowerCase()), action[2] as string, query)
      : anchorsAction(request, path, query);
    work.then(
      (answer) => {
        if (answer === null) return; // the body was refused, and answered
        if (answer === undefined) json(response, 405, { error: `${request.method} is not allowed on ${path}` });
        else json(response, 200, answer);
      },
      (error: unknown) => jsonError(response, error, "the relay's database did not answer"),
    );
    return true;
  };
}

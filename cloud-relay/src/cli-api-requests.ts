// What each of the `relay` command's operations asks the admin HTTP API.
import { RelayError } from "./errors.js";

export interface ApiRequest {
  method: "GET" | "POST" | "PATCH";
  path: string;
  body?: unknown;
}

export interface ApiCommandOptions {
  latest: number;
  limit: string | undefined;
  before: string | undefined;
  reason: string | undefined;
  allow: string | undefined;
  rate: string | undefined;
  burst: string | undefined;
}

const GATEWAY = /^0x[0-9a-fA-F]{40}$/;

function gatewayArgument(value: string | undefined, command: string): string {
  if (!GATEWAY.test(value ?? "")) throw new RelayError("invalid_argument", `${command} needs a gateway address (0x…)`);
  return value as string;
}

function wholeNumber(value: string, name: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new RelayError("invalid_argument", `${name} must be a whole number, 1 or more`);
  return Number(value);
}

/** `gateways access`: the allowlist (`any` lifts it) and the rate limit (`default` returns to the relay's). */
function accessBody(options: ApiCommandOptions): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (options.allow !== undefined) {
    body.allowedCidrs = options.allow === "any" ? null : options.allow.split(",").map((cidr) => cidr.trim());
  }
  if (options.rate === "default") body.rateLimit = null;
  else if (options.rate !== undefined) {
    const batchesPerSecond = Number(options.rate);
    if (!(batchesPerSecond > 0))
      throw new RelayError("invalid_argument", "--rate must be batches per second above 0, or default");
    body.rateLimit = { batchesPerSecond, burst: wholeNumber(options.burst ?? fail("--rate needs --burst"), "--burst") };
  }
  if (Object.keys(body).length === 0) {
    throw new RelayError("invalid_argument", "gateways access needs --allow <cidr,…|any>, --rate <batches/s|default>, or both");
  }
  return body;
}

function fail(message: string): never {
  throw new RelayError("invalid_argument", message);
}

/** The request an operation makes, or undefined when the words name none of them. */
export function apiRequestOf(words: readonly (string | undefined)[], options: ApiCommandOptions): ApiRequest | undefined {
  const [command, subcommand, first] = words;
  if (command === "enroll-token") return { method: "POST", path: "/v1/enrollment-tokens" };
  if (command === "receipt") {
    const gateway = gatewayArgument(subcommand, "receipt");
    return {
      method: "GET",
      path: `/v1/receipts/${gateway}/${wholeNumber(first ?? fail("receipt needs a reading's gateway_seq"), "gateway_seq")}`,
    };
  }
  if (command === "batches") {
    const query = new URLSearchParams();
    if (options.limit !== undefined) query.set("limit", String(wholeNumber(options.limit, "--limit")));
    if (options.before !== undefined) query.set("before", String(wholeNumber(options.before, "--before")));
    const search = query.size > 0 ? `?${query.toString()}` : "";
    return { method: "GET", path: `/v1/gateways/${gatewayArgument(subcommand, "batches")}/batches${search}` };
  }
  if (command === "anchors") {
    if (subcommand === "retry") return { method: "POST", path: "/v1/anchors/retry" };
    if (subcommand === undefined || subcommand === "status")
      return { method: "GET", path: `/v1/anchors?latest=${options.latest}` };
    return undefined;
  }
  if (command !== "gateways") return undefined;
  if (subcommand === "list") return { method: "GET", path: "/v1/gateways" };
  if (!["show", "revoke", "reinstate", "access"].includes(subcommand ?? "")) return undefined;
  const gateway = gatewayArgument(first, `gateways ${subcommand}`);
  if (subcommand === "show") return { method: "GET", path: `/v1/gateways/${gateway}` };
  if (subcommand === "revoke") {
    return {
      method: "POST",
      path: `/v1/gateways/${gateway}/revoke`,
      body: options.reason === undefined ? {} : { reason: options.reason },
    };
  }
  if (subcommand === "reinstate") return { method: "POST", path: `/v1/gateways/${gateway}/reinstate`, body: {} };
  if (subcommand === "access") return { method: "PATCH", path: `/v1/gateways/${gateway}/access`, body: accessBody(options) };
  return undefined;
}

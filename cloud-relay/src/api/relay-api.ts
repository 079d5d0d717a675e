import { timingSafeEqual } from "node:crypto";
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Receipt } from "@intelledger/verify";
import { getAddress } from "ethers";
import type { Registry } from "prom-client";
import type { FleetGateway } from "../store/fleet-view.js";
import type { EnrollmentInvitation } from "../enrollment/start-enrollment.js";
import { json, jsonError } from "./http-json.js";
import type { HealthReport } from "./relay-health.js";

export interface RelayApi {
  readonly port: number;
  close(): Promise<void>;
}

function bearerMatches(request: IncomingMessage, token: string): boolean {
  const presented = Buffer.from(request.headers.authorization ?? "");
  const expected = Buffer.from(`Bearer ${token}`);
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}

const ENROLLMENT_TOKENS_PATH = "/v1/enrollment-tokens";
const RECEIPT_PATH = /^\/v1\/receipts\/(0x[0-9a-fA-F]{40})\/(\d+)$/;
const GATEWAYS_PATH = /^\/v1\/gateways(?:\/(0x[0-9a-fA-F]{40}))?$/;

/**
 * The relay's HTTP API for operations: GET /healthz (the database takes writes, gRPC
 * accepts connections) and GET /readyz (healthy, fully started, not stopping) for anyone,
 * 200 or 503 with each check as JSON; with the bearer token, GET /metrics (Prometheus),
 * GET /v1/receipts/<gateway>/<gatewaySeq> (a reading's receipt, for the `verify` command)
 * GET /v1/gateways and /v1/gateways/<gateway> (the fleet: state, last seen, last batch,
 * backlog, unanchored batches), the operations of fleet-routes.ts (revoke, access, batches,
 * anchors) and, with enrollment on, POST /v1/enrollment-tokens (a one-time token for a
 * gateway). Nothing else answers.
 */
export async function startRelayApi(options: {
  host: string;
  port: number;
  token: string;
  registry: Registry;
  /** Brings the state the registry reads up to date, so that a scrape never reports a stale fleet. */
  refreshMetrics: () => Promise<unknown>;
  receipt: (gatewayId: string, gatewaySeq: number) => Promise<Receipt>;
  /** Every gateway, or the one named (undefined when unknown). */
  fleet: (gatewayId?: string) => Promise<FleetGateway[] | FleetGateway | undefined>;
  /** POST /v1/enrollment-tokens, when enrollment is configured. */
  issueEnrollmentToken?: () => EnrollmentInvitation;
  health: { health(): Promise<HealthReport>; readiness(): Promise<HealthReport> };
  /** Routes under /v1/deployments, behind the bearer token; answers whether it handled the request. */
  deployments?: (request: IncomingMessage, response: ServerResponse, path: string) => boolean;
  /** Revocation, access, batches and anchors (fleet-routes.ts), behind the bearer token; answers whether it handled the request. */
  operations?: (request: IncomingMessage, response: ServerResponse, path: string, query: URLSearchParams) => boolean;
}): Promise<RelayApi> {
  const server: Server = createServer((request, response) => {
    const [path = "", search = ""] = (request.url ?? "").split("?", 2);
    if (request.method === "POST" && path === ENROLLMENT_TOKENS_PATH && options.issueEnrollmentToken) {
      if (!bearerMatches(request, options.token)) {
        response.writeHead(401, { "www-authenticate": "Bearer" }).end();
        return;
      }
      json(response, 201, options.issueEnrollmentToken());
      return;
    }
    if (options.deployments && path.startsWith("/v1/deployments")) {
      if (!bearerMatches(request, options.token)) response.writeHead(401, { "www-authenticate": "Bearer" }).end();
      else if (!options.deployments(request, response, path)) response.writeHead(404).end();
      return;
    }
    if (options.operations && (path.startsWith("/v1/gateways/") || path.startsWith("/v1/anchors"))) {
      if (!bearerMatches(request, options.token)) {
        response.writeHead(401, { "www-authenticate": "Bearer" }).end();
        return;
      }
      if (options.operations(request, response, path, new URLSearchParams(search))) return;
    }
    if (request.method !== "GET") {
      response.writeHead(405, { allow: "GET" }).end();
      return;
    }
    if (path === "/healthz" || path === "/readyz") {
      const { health } = options;
      (path === "/healthz" ? health.health() : health.readiness()).then(
        (report) => json(response, report.ok ? 200 : 503, { status: report.ok ? "ok" : "failing", checks: report.checks }),
        (error: unknown) => json(response, 503, { status: "failing", error: String(error) }),
      );
      return;
    }
    const receiptMatch = RECEIPT_PATH.exec(path);
    const gatewaysMatch = GATEWAYS_PATH.exec(path);
    if (path !== "/metrics" && !receiptMatch && !gatewaysMatch) {
      response.writeHead(404).end();
      return;
    }
    if (!bearerMatches(request, options.token)) {
      response.writeHead(401, { "www-authenticate": "Bearer" }).end();
      return;
    }
    if (gatewaysMatch) {
      // Any spelling of the address names the gateway, stored checksummed as its certificate names it.
      const named = gatewaysMatch[1] === undefined ? undefined : getAddress(gatewaysMatch[1].toLowerCase());
      options.fleet(named).then(
        (found) =>
          found === undefined
            ? json(response, 404, { error: `the relay knows no gateway ${named}` })
            : json(response, 200, named === undefined ? { gateways: found } : found),
        () => json(response, 503, { error: "the fleet could not be read from the database" }),
      );
      return;
    }
    if (receiptMatch) {
      options.receipt(receiptMatch[1] as string, Number(receiptMatch[2])).then(
        (receipt) => json(response, 200, receipt),
        (error: unknown) => jsonError(response, error, "the receipt could not be built"),
      );
      return;
    }
    options
      .refreshMetrics()
      .then(() => options.registry.metrics())
      .then(
        (text) => response.writeHead(200, { "content-type": options.registry.contentType }).end(text),
        () => response.writeHead(500).end(),
      );
  });
  server.listen(options.port, options.host);
  await once(server, "listening");
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

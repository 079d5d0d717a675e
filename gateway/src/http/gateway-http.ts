import { createServer, type Server } from "node:http";
import { z } from "zod";
import express, { type NextFunction, type Request, type RequestHandler, type Response } from "express";
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import type { AuditLog } from "../auth/audit-log.js";
import type { GatewayAuth } from "../auth/gateway-auth.js";
import type { DerivedStore } from "../store/derived-store.js";
import type { GatewaySnapshot } from "../gateway-snapshot.js";
import { listenWithFallback } from "../net/listen.js";
import { GATEWAY_VERSION } from "../gateway-version.js";
import { accountRoutes } from "./account-routes.js";
import { ApiRoutes, type RouteGroup } from "./api-routes.js";
import { authRoutes } from "./auth-routes.js";
import { gatewayRoutes } from "./gateway-routes.js";
import { inferenceRoutes } from "./inference-routes.js";
import type { ModelManager } from "../inference/model-manager.js";
import { errorHandler } from "./http-errors.js";
import { describeLoginPages, loginPages } from "./login-pages.js";
import { CONSOLE_PATH, consolePages } from "./console-pages.js";
import { nodeRedRoutes } from "./node-red-routes.js";
import { openApiDocument } from "./openapi-document.js";
import { HostAllowList } from "./allowed-hosts.js";
import { authenticateRequest, isSameOrigin, principalOf } from "./request-auth.js";
import { requirePrincipal, route } from "./route.js";

/** Where the Node-RED editor and its admin API live. */
export const EDITOR_PATH = "/flows";

/** The largest body the editor may send (a deploy of many flows); Node-RED's own limit. */
export const EDITOR_BODY_LIMIT_BYTES = 5 * 1024 * 1024;
/** The largest body of any other request: JSON for the API, forms for the login pages. */
const BODY_LIMIT_BYTES = 64 * 1024;

/** What /flows answers when Node-RED is not serving it. */
export type EditorState = "disabled" | "starting" | "failed";

/** Node-RED once it runs: the gate in front of its editor, and its state for GET /api/node-red. */
export interface EditorService {
  handle: RequestHandler;
  status(): { state: string };
}

const EDITOR_UNAVAILABLE: Record<EditorState, string> = {
  disabled: "Node-RED is not enabled on this gateway",
  starting: "Node-RED is starting",
  failed: "Node-RED failed to start; the gateway's log says why",
};

export interface GatewayHttp {
  readonly server: Server;
  readonly port: number;
  /** The names this gateway answers to (Host and Origin checks). */
  readonly hosts: HostAllowList;
  /** Serves the editor under EDITOR_PATH, or says why not. */
  setEditor(editor: EditorService | EditorState): void;
  close(): Promise<void>;
}

const UNAUTHENTICATED_API = new Set(["/auth/login", "/auth/pair"]);
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * The gateway's HTTP server: the open health check, the login pages, the admin API
 * under /api, Prometheus metrics at /metrics and the flow editor under /flows. Everything but /healthz and the login
 * and pairing endpoints needs a session cookie or a bearer token.
 */
export async function startGatewayHttp(options: {
  host: string;
  port: number;
  fallbackToFreePort: boolean;
  /** Names besides the machine's own that browsers may use for the gateway. */
  allowedHosts: readonly string[];
  /** The desktop console's renderer build, served at /console when set. */
  consoleDir?: string | undefined;
  auth: GatewayAuth;
  audit: AuditLog;
  derived: DerivedStore;
  gatewayId: string;
  snapshot: () => GatewaySnapshot;
  /** Served at /metrics to any logged-in caller; Prometheus scrapes with an API token. */
  metrics: Registry;
  /** The anomaly model manager; undefined when inference is off. */
  models: () => ModelManager | undefined;
  /** More of the API (configuration, enrollment, the live stream), described like the rest. */
  routes?: readonly ((api: ApiRoutes) => RouteGroup)[];
  logger: Logger;
}): Promise<GatewayHttp> {
  const { auth, logger } = options;
  const hosts = new HostAllowList(options.allowedHosts);
  let editor: EditorService | EditorState = "disabled";
  const app = express();
  app.disable("x-powered-by");

  app.use((_req: Request, res: Response, next: NextFunction) => {
    res.setHeader("X-Content-Type-Options", "nosniff");
    res.setHeader("X-Frame-Options", "DENY");
    res.setHeader("Referrer-Policy", "same-origin");
    next();
  });
  app.get("/healthz", (_req: Request, res: Response) => {
    res.json({ status: "ok" });
  });
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (!hosts.allows(req.headers.host)) {
      res.status(421).json({ error: "this gateway does not answer to that name; add it to http.allowedHosts" });
      return;
    }
    const limit = req.path === EDITOR_PATH || req.path.startsWith(`${EDITOR_PATH}/`) ? EDITOR_BODY_LIMIT_BYTES : BODY_LIMIT_BYTES;
    if (Number(req.headers["content-length"] ?? 0) > limit) {
      res.status(413).json({ error: `request body too large: at most ${limit} bytes` });
      return;
    }
    authenticateRequest(auth, req);
    if (!SAFE_METHODS.has(req.method) && !isSameOrigin(req, hosts)) {
      res.status(403).json({ error: "cross-site request refused" });
      return;
    }
    next();
  });

  app.use("/api", (req: Request, res: Response, next: NextFunction) => {
    if (!principalOf(req) && !UNAUTHENTICATED_API.has(req.path)) {
      res.status(401).json({ error: "log in first" });
      return;
    }
    next();
  });
  app.use("/api", express.json({ limit: BODY_LIMIT_BYTES }));
  const api = new ApiRoutes();
  const groups = [
    authRoutes(api, auth),
    accountRoutes(api, auth),
    inferenceRoutes(api, options),
    gatewayRoutes(api, options),
    nodeRedRoutes(api, () => (typeof editor === "string" ? { state: editor } : editor.status())),
    ...(options.routes ?? []).map((routes) => routes(api)),
  ];
  for (const group of groups) app.use(group.prefix, group.router);
  const description = api.under("/api");
  description.add({
    method: "get",
    path: "/openapi.json",
    summary: "This API's OpenAPI 3.1 description",
    access: "viewer",
    response: z.object({ openapi: z.literal("3.1.0") }),
    handle: () => openApiDocument(api.operations, { version: GATEWAY_VERSION, gatewayId: options.gatewayId }),
  });
  app.use(description.prefix, description.router);
  api.describe({
    method: "get",
    path: "/healthz",
    summary: "Health check, answered to anyone",
    access: "public",
    contentType: "application/json",
  });
  api.describe({ method: "get", path: "/metrics", summary: "Prometheus metrics", access: "viewer", contentType: "text/plain" });
  describeLoginPages(api);
  app.get(
    "/metrics",
    route(async (req, res) => {
      requirePrincipal(req);
      res.type(options.metrics.contentType).send(await options.metrics.metrics());
    }),
  );

  app.use(EDITOR_PATH, (req: Request, res: Response, next: NextFunction) => {
    if (typeof editor !== "string") {
      editor.handle(req, res, next);
      return;
    }
    if (!principalOf(req)) {
      res.status(401).json({ error: "log in first" });
      return;
    }
    res.status(editor === "disabled" ? 404 : 503).json({ error: EDITOR_UNAVAILABLE[editor] });
  });

  if (options.consoleDir) app.use(CONSOLE_PATH, consolePages(options.consoleDir));

  app.use(
    loginPages(auth, { gatewayId: options.gatewayId, editorPath: () => (editor === "disabled" ? undefined : `${EDITOR_PATH}/`) }),
  );
  app.use((req: Request, res: Response) => {
    // Without a login nothing, not even what exists, is revealed.
    res.status(principalOf(req) ? 404 : 401).json({ error: principalOf(req) ? "not found" : "log in first" });
  });
  app.use(errorHandler(logger));

  const server = createServer(app);
  const port = await listenWithFallback(server, { ...options, what: "HTTP" });
  return {
    server,
    port,
    hosts,
    setEditor(next) {
      editor = next;
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import express, { type NextFunction, type Request, type RequestHandler, type Response } from "express";
import { EDITOR_IDENTITY_HEADER, signEditorIdentity } from "node-red-contrib-intelledger/runtime/editor-identity";
import type { Logger } from "pino";
import type { AuditLog } from "../auth/audit-log.js";
import { ThrottledError } from "../auth/auth-errors.js";
import type { GatewayAuth } from "../auth/gateway-auth.js";
import { nodeRedPermissions, roleAtLeast } from "../auth/roles.js";
import type { Principal } from "../auth/token-store.js";
import type { HostAllowList } from "../http/allowed-hosts.js";
import { EDITOR_BODY_LIMIT_BYTES, EDITOR_PATH } from "../http/gateway-http.js";
import { formField } from "../http/route.js";
import { authenticateRequest, clearedSessionCookie, clientAddress, isSameOrigin, sessionCookie } from "../http/request-auth.js";
import { forwardRequest, forwardUpgrade } from "./editor-proxy.js";
import { listeningNodes } from "./listening-nodes.js";
import type { NodeRedSupervisor } from "./node-red-supervisor.js";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
const COMMS_PATH = `${EDITOR_PATH}/comms`;
/** Requests that bring flows to run: checked for listening nodes first. */
const DEPLOYS = /^\/(flows|flow(\/[^/]+)?)$/;
/** Node-RED checks the identity on each request; it need not outlive one. */
const IDENTITY_TTL_MS = 60_000;

/**
 * The editor's page runs Node-RED's scripts, its node definitions included (inline, and
 * evaluated), its code editor in workers from blob URLs; nothing may come from or go to
 * another site, and no other site may frame it.
 */
export const EDITOR_CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "frame-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

function auditAction(req: Request): string {
  if (req.method === "POST" && req.path === "/flows") return "flows.deploy";
  return `node-red.${req.method.toLowerCase()}`;
}

function identityOf(supervisor: NodeRedSupervisor, principal: Principal, expiresAtMs: number): string {
  const permissions = nodeRedPermissions(principal.role);
  return signEditorIdentity(supervisor.identityKey, { username: principal.username, permissions }, expiresAtMs);
}

/**
 * Node-RED's login dialog (shown when a session runs out mid-edit) posts an OAuth password
 * grant; it is answered with a gateway session in the cookie, so the same accounts,
 * throttling and session lifetime apply as on the login page. The dialog's "access token"
 * is an editor identity, which Node-RED accepts and the gateway does not.
 */
function editorLogin(auth: GatewayAuth, supervisor: NodeRedSupervisor): RequestHandler {
  const form = express.urlencoded({ extended: false, limit: "4kb" });
  return (req: Request, res: Response) => {
    form(req, res, (error?: unknown) => {
      if (error) {
        const status = (error as { status?: number }).status ?? 400;
        res.status(status).json({ error: status === 413 ? "the login form is too large" : "unreadable login form" });
        return;
      }
      auth.login(formField(req.body, "username"), formField(req.body, "password"), clientAddress(req)).then(
        (session) => {
          const expiresIn = Math.floor((session.expiresAtMs - Date.now()) / 1000);
          res.setHeader("Set-Cookie", sessionCookie(session.token, expiresIn));
          const accessToken = identityOf(supervisor, session.principal, session.expiresAtMs);
          res.json({ access_token: accessToken, expires_in: expiresIn, token_type: "Bearer" });
        },
        (failure: unknown) => {
          if (failure instanceof ThrottledError) res.setHeader("Retry-After", Math.ceil(failure.retryAfterMs / 1000));
          res.status(failure instanceof ThrottledError ? 429 : 401).json({ error: "invalid_grant" });
        },
      );
    });
  };
}

/** Node-RED's state, for a caller who finds it not serving. */
function unavailable(supervisor: NodeRedSupervisor): string {
  const status = supervisor.status();
  const why = status.lastExit ? `; it last stopped because it ${status.lastExit.reason}` : "";
  return `Node-RED is ${status.state}${why}`;
}

/**
 * In front of Node-RED's editor and admin API: only logged-in gateway users get through,
 * viewers only to read (403 otherwise, before Node-RED's own check), deploys with listening
 * network nodes are refused unless allowed, every change is audited, and the request goes
 * on to Node-RED's process with a signed identity in place of the caller's credentials.
 */
export function editorGate(deps: {
  auth: GatewayAuth;
  audit: AuditLog;
  supervisor: NodeRedSupervisor;
  allowListeningNodes: boolean;
}): RequestHandler {
  const { auth, audit, supervisor } = deps;
  const login = editorLogin(auth, supervisor);
  const body = express.raw({ type: () => true, limit: EDITOR_BODY_LIMIT_BYTES });
  return (req: Request, res: Response, next: NextFunction) => {
    res.setHeader("Content-Security-Policy", EDITOR_CONTENT_SECURITY_POLICY);
    if (req.method === "POST" && req.path === "/auth/token") {
      login(req, res, next);
      return;
    }
    const caller = authenticateRequest(auth, req);
    const port = supervisor.editorPort;
    if (!caller) {
      if (req.method === "GET" && req.path === "/auth/login" && port !== undefined) {
        forwardRequest(req, res, { port, path: req.originalUrl, extraHeaders: {}, body: undefined });
      } else if (req.method === "GET" && (req.headers.accept ?? "").includes("text/html")) {
        res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
      } else {
        res.status(401).json({ error: "log in first" });
      }
      return;
    }
    const { principal } = caller;
    if (req.method === "POST" && req.path === "/auth/revoke") {
      auth.logout(principal);
      res.setHeader("Set-Cookie", clearedSessionCookie());
      res.json({ redirect: "/login" });
      return;
    }
    const safe = SAFE_METHODS.has(req.method);
    if (!safe && !roleAtLeast(principal.role, "integrator")) {
      res.status(403).json({ error: `a ${principal.role} may look at flows but not change them` });
      return;
    }
    if (port === undefined) {
      res.status(503).json({ error: unavailable(supervisor) });
      return;
    }
    const extraHeaders = { [EDITOR_IDENTITY_HEADER]: identityOf(supervisor, principal, Date.now() + IDENTITY_TTL_MS) };
    if (safe) {
      forwardRequest(req, res, { port, path: req.originalUrl, extraHeaders, body: undefined });
      return;
    }
    body(req, res, (error?: unknown) => {
      if (error) {
        next(error);
        return;
      }
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      if (!deps.allowListeningNodes && DEPLOYS.test(req.path)) {
        const listening = deployedListeners(raw);
        if (listening.length > 0) {
          res.status(400).json({
            error: `listening network nodes are off on this gateway (http.nodeRed.allowListeningNodes): ${listening.join(", ")}`,
          });
          return;
        }
      }
      res.on("finish", () => {
        if (res.statusCode < 300) {
          const deploymentType = req.headers["node-red-deployment-type"];
          audit.record(principal.username, auditAction(req), `${req.method} ${EDITOR_PATH}${req.path}`, {
            ...(typeof deploymentType === "string" && { deploymentType }),
          });
        }
      });
      forwardRequest(req, res, { port, path: req.originalUrl, extraHeaders, body: raw });
    });
  };
}

function deployedListeners(raw: Buffer): string[] {
  try {
    return listeningNodes(JSON.parse(raw.toString("utf8")));
  } catch {
    // Not JSON: Node-RED refuses it itself.
    return [];
  }
}

function refuse(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/**
 * The editor's WebSocket (/flows/comms) does not pass through Express: this lets only
 * logged-in browsers on a page of this gateway through to Node-RED's process, with a
 * signed identity in place of their cookie.
 */
export function editorUpgradeGate(deps: {
  auth: GatewayAuth;
  hosts: HostAllowList;
  supervisor: NodeRedSupervisor;
  logger: Logger;
}) {
  const { auth, hosts, supervisor, logger } = deps;
  return (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = new URL(req.url ?? "/", "http://gateway").pathname;
    if (path !== COMMS_PATH) {
      refuse(socket, 404, "Not Found");
      return;
    }
    const caller = hosts.allows(req.headers.host) && isSameOrigin(req, hosts) ? authenticateRequest(auth, req) : undefined;
    if (!caller) {
      logger.warn({ address: clientAddress(req) }, "editor connection refused: not logged in or cross-site");
      refuse(socket, 401, "Unauthorized");
      return;
    }
    const port = supervisor.editorPort;
    if (port === undefined) {
      refuse(socket, 503, "Service Unavailable");
      return;
    }
    const identity = identityOf(supervisor, caller.principal, Date.now() + IDENTITY_TTL_MS);
    forwardUpgrade(req, socket, head, { port, path: COMMS_PATH, extraHeaders: { [EDITOR_IDENTITY_HEADER]: identity } });
  };
}

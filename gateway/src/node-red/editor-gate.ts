import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import express, { type NextFunction, type Request, type RequestHandler, type Response } from "express";
import type { Logger } from "pino";
import type { AuditLog } from "../auth/audit-log.js";
import { ThrottledError } from "../auth/auth-errors.js";
import type { GatewayAuth } from "../auth/gateway-auth.js";
import { roleAtLeast } from "../auth/roles.js";
import { EDITOR_PATH } from "../http/gateway-http.js";
import { formField } from "../http/route.js";
import { authenticateRequest, clearedSessionCookie, clientAddress, isSameOrigin, sessionCookie } from "../http/request-auth.js";
import { NODE_RED_TOKEN_HEADER } from "./node-red-settings.js";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
const COMMS_PATH = `${EDITOR_PATH}/comms`;

function auditAction(req: Request): string {
  if (req.method === "POST" && req.path === "/flows") return "flows.deploy";
  return `node-red.${req.method.toLowerCase()}`;
}

/**
 * Node-RED's login dialog (shown when a session runs out mid-edit) posts an OAuth password
 * grant; it is answered with a gateway session, so the same accounts, throttling and
 * session lifetime apply as on the login page.
 */
function editorLogin(auth: GatewayAuth): RequestHandler {
  const form = express.urlencoded({ extended: false, limit: "4kb" });
  return (req: Request, res: Response) => {
    form(req, res, () => {
      auth.login(formField(req.body, "username"), formField(req.body, "password"), clientAddress(req)).then(
        (session) => {
          const expiresIn = Math.floor((session.expiresAtMs - Date.now()) / 1000);
          res.setHeader("Set-Cookie", sessionCookie(session.token, expiresIn));
          res.json({ access_token: session.token, expires_in: expiresIn, token_type: "Bearer" });
        },
        (error: unknown) => {
          if (error instanceof ThrottledError) res.setHeader("Retry-After", Math.ceil(error.retryAfterMs / 1000));
          res.status(error instanceof ThrottledError ? 429 : 401).json({ error: "invalid_grant" });
        },
      );
    });
  };
}

/**
 * In front of Node-RED's editor and admin API: only logged-in gateway users get through,
 * viewers only to read (403 otherwise, before Node-RED's own check), every change is
 * audited, and Node-RED learns who is calling from the token header it trusts.
 */
export function editorGate(deps: { auth: GatewayAuth; audit: AuditLog; editor: RequestHandler }): RequestHandler {
  const { auth, audit } = deps;
  const login = editorLogin(auth);
  return (req: Request, res: Response, next: NextFunction) => {
    delete req.headers[NODE_RED_TOKEN_HEADER];
    if (req.method === "POST" && req.path === "/auth/token") {
      login(req, res, next);
      return;
    }
    const caller = authenticateRequest(auth, req);
    if (!caller) {
      if (req.method === "GET" && req.path === "/auth/login") {
        deps.editor(req, res, next);
      } else if (req.method === "GET" && (req.headers.accept ?? "").includes("text/html")) {
        res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
      } else {
        res.status(401).json({ error: "log in first" });
      }
      return;
    }
    const { principal, token } = caller;
    if (req.method === "POST" && req.path === "/auth/revoke") {
      auth.logout(principal);
      res.setHeader("Set-Cookie", clearedSessionCookie());
      res.json({ redirect: "/login" });
      return;
    }
    if (!SAFE_METHODS.has(req.method)) {
      if (!roleAtLeast(principal.role, "integrator")) {
        res.status(403).json({ error: `a ${principal.role} may look at flows but not change them` });
        return;
      }
      res.on("finish", () => {
        if (res.statusCode < 300) {
          const deploymentType = req.headers["node-red-deployment-type"];
          audit.record(principal.username, auditAction(req), `${req.method} ${EDITOR_PATH}${req.path}`, {
            ...(typeof deploymentType === "string" && { deploymentType }),
          });
        }
      });
    }
    delete req.headers.authorization;
    req.headers[NODE_RED_TOKEN_HEADER] = token;
    deps.editor(req, res, next);
  };
}

function refuse(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/**
 * The editor's WebSocket (/flows/comms) does not pass through Express: this runs before
 * Node-RED's own upgrade handler and lets only logged-in, same-origin browsers reach it.
 */
export function editorUpgradeGate(auth: GatewayAuth, logger: Logger) {
  return (req: IncomingMessage, socket: Duplex) => {
    delete req.headers[NODE_RED_TOKEN_HEADER];
    const path = new URL(req.url ?? "/", "http://gateway").pathname;
    if (path !== COMMS_PATH) {
      refuse(socket, 404, "Not Found");
      return;
    }
    const caller = isSameOrigin(req) ? authenticateRequest(auth, req) : undefined;
    if (!caller) {
      logger.warn({ address: clientAddress(req) }, "editor connection refused: not logged in or cross-site");
      refuse(socket, 401, "Unauthorized");
      return;
    }
    req.headers[NODE_RED_TOKEN_HEADER] = caller.token;
  };
}

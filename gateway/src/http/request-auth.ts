import type { IncomingMessage } from "node:http";
import type { Request } from "express";
import { EDITOR_IDENTITY_PREFIX } from "node-red-contrib-intelledger/runtime/editor-identity";
import type { GatewayAuth } from "../auth/gateway-auth.js";
import type { Principal } from "../auth/token-store.js";
import type { HostAllowList } from "./allowed-hosts.js";

export const SESSION_COOKIE = "intelledger_session";

const principals = new WeakMap<IncomingMessage, { principal: Principal; token: string }>();

function cookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? "").split(";")) {
    const [key, ...value] = part.trim().split("=");
    if (key === name) return decodeURIComponent(value.join("="));
  }
  return undefined;
}

/**
 * A bearer token (scripts, the console) or else the session cookie (browsers). The flow
 * editor sends the identity it got from Node-RED's login dialog as a bearer token; that is
 * no gateway credential, so its session cookie counts.
 */
export function requestToken(req: IncomingMessage): string | undefined {
  const [scheme, token] = (req.headers.authorization ?? "").split(" ");
  if (scheme?.toLowerCase() === "bearer" && token && !token.startsWith(EDITOR_IDENTITY_PREFIX)) return token;
  return cookie(req.headers.cookie, SESSION_COOKIE);
}

/** Resolves and remembers who made the request; undefined when nobody valid. */
export function authenticateRequest(
  auth: GatewayAuth,
  req: IncomingMessage,
): { principal: Principal; token: string } | undefined {
  const known = principals.get(req);
  if (known) return known;
  const token = requestToken(req);
  const principal = token === undefined ? undefined : auth.resolve(token);
  if (!principal || token === undefined) return undefined;
  const resolved = { principal, token };
  principals.set(req, resolved);
  return resolved;
}

export function principalOf(req: Request): Principal | undefined {
  return principals.get(req)?.principal;
}

/**
 * Browsers send the page's origin with cross-site requests; refusing those that name
 * another host, or a name that is not this gateway's, stops cross-site request forgery,
 * WebSocket hijacking and DNS rebinding even where a browser ignores SameSite. Clients
 * that send no Origin (curl, the console) carry a bearer token, which a forged request
 * cannot.
 */
export function isSameOrigin(req: IncomingMessage, hosts: HostAllowList): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  try {
    const { host } = new URL(origin);
    return host === req.headers.host && hosts.allows(host);
  } catch {
    return false;
  }
}

export function sessionCookie(token: string, maxAgeSeconds: number): string {
  return `${SESSION_COOKIE}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}`;
}

export function clearedSessionCookie(): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`;
}

export function clientAddress(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? "unknown";
}

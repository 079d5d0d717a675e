import type { Response } from "express";
import { z } from "zod";
import type { GatewayAuth, Session } from "../auth/gateway-auth.js";
import { ROLES } from "../auth/roles.js";
import { NotFoundError, type ApiRoutes, type RouteGroup } from "./api-routes.js";
import { clearedSessionCookie, clientAddress, sessionCookie } from "./request-auth.js";

const username = z.string().max(64);
const password = z.string().max(256);
const credentials = z.strictObject({ username, password });
const session = z.object({ username: z.string(), role: z.enum(ROLES), expiresAtMs: z.number() });
const tokenKind = z.enum(["session", "api"]);
const tokenInfo = z.object({
  id: z.number(),
  username: z.string(),
  kind: tokenKind,
  label: z.string(),
  createdAtMs: z.number(),
  expiresAtMs: z.number().optional(),
  lastUsedAtMs: z.number().optional(),
});

export function startSession(res: Response, session: Session): void {
  res.setHeader("Set-Cookie", sessionCookie(session.token, Math.floor((session.expiresAtMs - Date.now()) / 1000)));
}

function describe(session: Session) {
  return { username: session.principal.username, role: session.principal.role, expiresAtMs: session.expiresAtMs };
}

/** /api/auth: pairing, login, logout, the caller's own account and API tokens. */
export function authRoutes(api: ApiRoutes, auth: GatewayAuth): RouteGroup {
  const routes = api.under("/api/auth");

  routes.add({
    method: "post",
    path: "/pair",
    summary: "Create the first account (a technician) with the one-time pairing code; starts a session",
    access: "public",
    body: credentials.extend({ code: z.string().max(64) }),
    response: session,
    status: 201,
    handle: async ({ req, res, body }) => {
      const started = await auth.pair(body, clientAddress(req));
      startSession(res, started);
      return describe(started);
    },
  });

  routes.add({
    method: "post",
    path: "/login",
    summary: "Log in; sets the session cookie",
    access: "public",
    body: credentials,
    response: session,
    handle: async ({ req, res, body }) => {
      const started = await auth.login(body.username, body.password, clientAddress(req));
      startSession(res, started);
      return describe(started);
    },
  });

  routes.add({
    method: "post",
    path: "/logout",
    summary: "End the caller's session or revoke the token used",
    access: "viewer",
    handle: ({ principal, res }) => {
      auth.logout(principal);
      res.setHeader("Set-Cookie", clearedSessionCookie());
    },
  });

  routes.add({
    method: "get",
    path: "/me",
    summary: "Who the caller is",
    access: "viewer",
    response: z.object({ username: z.string(), role: z.enum(ROLES), kind: tokenKind }),
    handle: ({ principal: { username, role, kind } }) => ({ username, role, kind }),
  });

  routes.add({
    method: "put",
    path: "/password",
    summary: "Change the caller's own password (needs the current one)",
    access: "viewer",
    body: z.strictObject({ currentPassword: password, newPassword: password }),
    handle: ({ principal, body }) =>
      auth.changePassword(principal, {
        username: principal.username,
        currentPassword: body.currentPassword,
        newPassword: body.newPassword,
      }),
  });

  routes.add({
    method: "get",
    path: "/tokens",
    summary: "The caller's sessions and API tokens (a technician sees everyone's)",
    access: "viewer",
    response: z.array(tokenInfo),
    handle: ({ principal }) => auth.listTokens(principal),
  });

  routes.add({
    method: "post",
    path: "/tokens",
    summary: "Issue an API token; the token is shown this once",
    access: "viewer",
    body: z.strictObject({ label: z.string().min(1).max(100), expiresInDays: z.number().int().min(1).max(3650).optional() }),
    response: z.object({ token: z.string(), info: tokenInfo }),
    status: 201,
    handle: ({ principal, body }) =>
      auth.issueApiToken(principal, body.label, body.expiresInDays === undefined ? undefined : body.expiresInDays * 86_400_000),
  });

  routes.add({
    method: "delete",
    path: "/tokens/:id",
    summary: "Revoke a session or token (a technician may revoke anyone's)",
    access: "viewer",
    params: z.strictObject({ id: z.coerce.number().int().min(1) }),
    handle: ({ principal, params }) => {
      if (!auth.revokeToken(principal, params.id)) throw new NotFoundError(`no token ${params.id}`);
    },
  });

  return routes;
}

import express, { type Response, type Router } from "express";
import { z } from "zod";
import type { GatewayAuth, Session } from "../auth/gateway-auth.js";
import { clearedSessionCookie, clientAddress, sessionCookie } from "./request-auth.js";
import { requirePrincipal, route } from "./route.js";

const credentials = z.object({ username: z.string().max(64), password: z.string().max(256) });
const pairing = credentials.extend({ code: z.string().max(64) });
const passwordChange = z.object({ currentPassword: z.string().max(256), newPassword: z.string().max(256) });
const tokenRequest = z.object({
  label: z.string().min(1).max(100),
  expiresInDays: z.number().int().min(1).max(3650).optional(),
});

export function startSession(res: Response, session: Session): void {
  res.setHeader("Set-Cookie", sessionCookie(session.token, Math.floor((session.expiresAtMs - Date.now()) / 1000)));
}

function describe(session: Session) {
  return { username: session.principal.username, role: session.principal.role, expiresAtMs: session.expiresAtMs };
}

/** /api/auth: pairing, login, logout, the caller's own account and API tokens. */
export function authRoutes(auth: GatewayAuth): Router {
  const router = express.Router();

  router.post(
    "/pair",
    route(async (req, res) => {
      const session = await auth.pair(pairing.parse(req.body), clientAddress(req));
      startSession(res, session);
      res.status(201).json(describe(session));
    }),
  );

  router.post(
    "/login",
    route(async (req, res) => {
      const { username, password } = credentials.parse(req.body);
      const session = await auth.login(username, password, clientAddress(req));
      startSession(res, session);
      res.json(describe(session));
    }),
  );

  router.post(
    "/logout",
    route((req, res) => {
      auth.logout(requirePrincipal(req));
      res.setHeader("Set-Cookie", clearedSessionCookie());
      res.status(204).end();
    }),
  );

  router.get(
    "/me",
    route((req, res) => {
      const { username, role, kind } = requirePrincipal(req);
      res.json({ username, role, kind });
    }),
  );

  router.put(
    "/password",
    route(async (req, res) => {
      const actor = requirePrincipal(req);
      const { currentPassword, newPassword } = passwordChange.parse(req.body);
      await auth.changePassword(actor, { username: actor.username, currentPassword, newPassword });
      res.status(204).end();
    }),
  );

  router.get(
    "/tokens",
    route((req, res) => {
      res.json(auth.listTokens(requirePrincipal(req)));
    }),
  );

  router.post(
    "/tokens",
    route((req, res) => {
      const actor = requirePrincipal(req);
      const { label, expiresInDays } = tokenRequest.parse(req.body);
      const issued = auth.issueApiToken(actor, label, expiresInDays === undefined ? undefined : expiresInDays * 86_400_000);
      res.status(201).json(issued);
    }),
  );

  router.delete(
    "/tokens/:id",
    route((req, res) => {
      const revoked = auth.revokeToken(requirePrincipal(req), Number(req.params.id));
      res.status(revoked ? 204 : 404).end();
    }),
  );

  return router;
}

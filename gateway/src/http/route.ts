import type { NextFunction, Request, RequestHandler, Response } from "express";
import { AuthenticationError } from "../auth/auth-errors.js";
import { requireRole } from "../auth/gateway-auth.js";
import type { Role } from "../auth/roles.js";
import type { Principal } from "../auth/token-store.js";
import { principalOf } from "./request-auth.js";

/** An async handler whose rejection reaches the error handler (Express 4 does not await). */
export function route(handler: (req: Request, res: Response) => Promise<void> | void): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    Promise.resolve()
      .then(() => handler(req, res))
      .catch(next);
  };
}

/** The request's principal, who must hold at least `role`. */
export function requirePrincipal(req: Request, role: Role = "viewer"): Principal {
  const principal = principalOf(req);
  if (!principal) throw new AuthenticationError("log in first");
  requireRole(principal, role);
  return principal;
}

/** A text field of a parsed form body; anything else (absent, repeated) counts as empty. */
export function formField(body: unknown, name: string): string {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  return typeof value === "string" ? value : "";
}

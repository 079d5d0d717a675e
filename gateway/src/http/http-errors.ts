import type { ErrorRequestHandler } from "express";
import type { Logger } from "pino";
import { z } from "zod";
import { AuthenticationError, PermissionError, ThrottledError, UnknownAccountError } from "../auth/auth-errors.js";
import { ConfigBusyError } from "../config-admin/config-manager.js";
import { ConflictError, GatewayError, NotFoundError, UpstreamError } from "../errors.js";
import { RequestValidationError, UnsupportedMediaTypeError } from "./api-routes.js";

/** The one place errors become HTTP status codes. */
export function httpStatusOf(error: unknown): number {
  if (error instanceof AuthenticationError) return 401;
  if (error instanceof PermissionError) return 403;
  if (error instanceof UnknownAccountError || error instanceof NotFoundError) return 404;
  if (error instanceof ThrottledError) return 429;
  if (error instanceof UnsupportedMediaTypeError) return 415;
  if (error instanceof ConfigBusyError || error instanceof ConflictError) return 409;
  if (error instanceof UpstreamError) return 502;
  if (error instanceof GatewayError || error instanceof z.ZodError) return 400;
  // Body parsers flag malformed or oversized bodies with their status.
  const status = (error as { status?: unknown }).status;
  return typeof status === "number" && status >= 400 && status < 500 ? status : 500;
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const status = httpStatusOf(error);
    // What a service the gateway relies on said is the caller's to know; the gateway's own faults are not.
    const told = status < 500 || error instanceof UpstreamError;
    if (!told) logger.error({ err: error, method: req.method, path: req.path }, "request failed");
    if (error instanceof ThrottledError) res.setHeader("Retry-After", Math.ceil(error.retryAfterMs / 1000));
    const message = error instanceof z.ZodError ? z.prettifyError(error) : (error as Error).message;
    res.status(status).json({
      error: told ? message : "internal error",
      ...(error instanceof RequestValidationError && { issues: error.issues }),
    });
  };
}

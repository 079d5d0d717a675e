import { GatewayError } from "../errors.js";

/** Credentials, session or pairing code missing or wrong. */
export class AuthenticationError extends GatewayError {}

/** Logged in, but the role does not allow it. */
export class PermissionError extends GatewayError {}

/** Too many failed attempts from this address or for this account. */
export class ThrottledError extends GatewayError {
  readonly retryAfterMs: number;

  constructor(message: string, retryAfterMs: number) {
    super(message, { retryAfterMs });
    this.retryAfterMs = retryAfterMs;
  }
}

export class UnknownAccountError extends GatewayError {}

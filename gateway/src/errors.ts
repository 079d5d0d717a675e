import { EdgeError } from "@intelledger/service-kit/errors";

/** Base of every error the gateway raises on purpose. */
export class GatewayError extends EdgeError {}

export class GatewayConfigError extends GatewayError {}

/** What a request names does not exist: an HTTP 404. */
export class NotFoundError extends GatewayError {}

/** The request clashes with the state of what it names (a device already registered, decommissioned, not in quarantine): an HTTP 409. */
export class ConflictError extends GatewayError {}

/** A service the gateway relies on for the request (the relay's API, the chain) did not answer or refused: an HTTP 502. */
export class UpstreamError extends GatewayError {}

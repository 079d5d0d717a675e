import { EdgeError } from "@intelledger/service-kit/errors";

/** Base of every error the gateway raises on purpose. */
export class GatewayError extends EdgeError {}

export class GatewayConfigError extends GatewayError {}

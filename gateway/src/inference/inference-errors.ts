import { GatewayError } from "../errors.js";

/** A model that cannot be loaded, checked or run. */
export class InferenceError extends GatewayError {}

import { EdgeError } from "@intelledger/service-kit/errors";

/** Base of every error this package raises on purpose. */
export class ContractsError extends EdgeError {}

import type { Logger } from "pino";
import { LogThrottle } from "@intelledger/service-kit";
import { RelayError } from "../errors.js";
import { refusalReason, toStatus } from "./error-status.js";

/** Who a refusal concerns: the gateway of the certificate, or the peer's address when there is none. */
export interface RefusedCall {
  rpc: "register" | "heartbeat" | "upload" | "fetch_receipt";
  caller: string;
  /** The upload stream's request id, logged with the refusal. */
  requestId?: string;
}

/**
 * Counts every refusal by its reason, and logs it once per caller, call and reason per
 * interval (with how many were not logged since), without a stack trace: a gateway that
 * keeps sending the same bad batch, or a flood of foreign clients, cannot fill the log nor
 * the memory (beyond 10,000 callers, new ones share one line per call and reason).
 * Errors that are not the relay's refusals are the relay's own faults and keep their stack.
 */
export class RefusalRecorder {
  private readonly counts = new Map<string, number>();
  private readonly logger: Logger;
  private readonly throttle: LogThrottle;

  constructor(options: { logger: Logger; intervalMs: number }) {
    this.logger = options.logger;
    this.throttle = new LogThrottle({ intervalMs: options.intervalMs });
  }

  record(call: RefusedCall, error: unknown): void {
    const reason = refusalReason(error);
    this.counts.set(reason, (this.counts.get(reason) ?? 0) + 1);
    const admitted = this.throttle.admit(`${call.rpc}\u0000${reason}`, call.caller);
    if (!admitted) return;
    const entry = { ...call, reason, code: toStatus(error).code, unloggedSinceLast: admitted.leftOut };
    if (error instanceof RelayError) this.logger.warn({ ...entry, details: error.details }, `call refused: ${error.message}`);
    else this.logger.error({ ...entry, err: error }, "call failed inside the relay");
  }

  /** Refusals since the relay started, by reason. */
  byReason(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }
}

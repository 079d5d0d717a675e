import type { Logger } from "pino";
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
 * keeps sending the same bad batch, or a flood of foreign clients, cannot fill the log.
 * Errors that are not the relay's refusals are the relay's own faults and keep their stack.
 */
export class RefusalRecorder {
  private readonly counts = new Map<string, number>();
  private readonly lastLogged = new Map<string, { atMs: number; unlogged: number }>();
  private readonly logger: Logger;
  private readonly intervalMs: number;

  constructor(options: { logger: Logger; intervalMs: number }) {
    this.logger = options.logger;
    this.intervalMs = options.intervalMs;
  }

  record(call: RefusedCall, error: unknown, nowMs = Date.now()): void {
    const reason = refusalReason(error);
    this.counts.set(reason, (this.counts.get(reason) ?? 0) + 1);
    const key = `${call.rpc}\u0000${call.caller}\u0000${reason}`;
    const last = this.lastLogged.get(key);
    if (last && nowMs - last.atMs < this.intervalMs) {
      last.unlogged++;
      return;
    }
    this.forgetOld(nowMs);
    this.lastLogged.set(key, { atMs: nowMs, unlogged: 0 });
    const entry = { ...call, reason, code: toStatus(error).code, unloggedSinceLast: last?.unlogged ?? 0 };
    if (error instanceof RelayError) this.logger.warn({ ...entry, details: error.details }, `call refused: ${error.message}`);
    else this.logger.error({ ...entry, err: error }, "call failed inside the relay");
  }

  /** Refusals since the relay started, by reason. */
  byReason(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }

  get total(): number {
    let total = 0;
    for (const count of this.counts.values()) total += count;
    return total;
  }

  /** Keeps the table of recent log lines small when many callers are refused. */
  private forgetOld(nowMs: number): void {
    if (this.lastLogged.size < 10_000) return;
    for (const [key, { atMs }] of this.lastLogged) if (nowMs - atMs >= this.intervalMs) this.lastLogged.delete(key);
  }
}

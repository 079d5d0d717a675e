import type { Logger } from "pino";
import { LogThrottle, type LogThrottleOptions } from "@intelledger/service-kit";

export interface RefusalLogOptions extends LogThrottleOptions {
  logger: Logger;
}

/**
 * Logs refusals (frames, publishes, logins) at most once per source and reason per
 * interval, without stack traces: they are expected, and a flood of them must not fill the
 * disk with log. Counting them is the caller's business; this only decides what is written.
 */
export class RefusalLog {
  private readonly logger: Logger;
  private readonly throttle: LogThrottle;

  constructor(options: RefusalLogOptions) {
    this.logger = options.logger;
    this.throttle = new LogThrottle(options);
  }

  /**
   * Notes one refusal of `reason` from `source` (a device id, or a network address when the
   * sender is unknown); writes `message` with `fields` unless that pair was logged lately.
   */
  note(reason: string, source: string | undefined, fields: Record<string, unknown>, message: string): void {
    const admitted = this.throttle.admit(reason, source ?? "unknown");
    if (!admitted) return;
    const { leftOut } = admitted;
    this.logger.warn(leftOut > 0 ? { ...fields, reason, leftOutSinceLastLine: leftOut } : { ...fields, reason }, message);
  }
}

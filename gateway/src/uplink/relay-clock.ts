import type { Logger } from "pino";
import type { GatewayClock } from "../clock/gateway-clock.js";
import { hostUptimeMs } from "../clock/host-boot.js";

/** A wall clock further than this from the relay's is reported. */
const CLOCK_AGREEMENT_MS = 2_000;

/**
 * Checks the gateway's wall clock against the relay's time, taken to be read halfway through
 * the round trip that started at `sentAtUptimeMs`; a clock that agrees is trusted again.
 */
export function checkClockAgainstRelay(
  clock: Pick<GatewayClock, "confirm">,
  logger: Logger,
  relayTimeMs: number,
  sentAtUptimeMs: number,
): void {
  const errorMs = clock.confirm(relayTimeMs, (sentAtUptimeMs + hostUptimeMs()) / 2);
  if (Math.abs(errorMs) > CLOCK_AGREEMENT_MS) {
    logger.warn({ clockErrorMs: errorMs }, "gateway clock disagrees with the relay; readings stay time-uncertain");
  }
}

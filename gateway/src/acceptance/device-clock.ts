import type { Sample } from "@intelledger/proto/device";
import { MAX_SAMPLE_AGE_MS, MAX_SAMPLE_LEAD_MS } from "./sample-rules.js";

const iso = (ms: number) => (Number.isFinite(ms) && Math.abs(ms) < 8.64e15 ? new Date(ms).toISOString() : String(ms));

/**
 * Why a frame's times cannot be trusted against the gateway's clock, or undefined when they
 * can. A device clock is implausible when it was never set (device time 0), or when the
 * frame's time or a sample's time lies more than a minute ahead of the gateway's clock or
 * more than 30 days behind it (the longest a device keeps readings through an outage): a
 * board that booted in 1970 or a clock set to 2100. Its readings are still genuine (signed
 * and new), so they are stored, marked time-uncertain.
 */
export function deviceClockProblem(
  frame: { deviceTimeMs: number; samples: readonly Sample[] },
  gatewayNowMs: number,
): string | undefined {
  if (frame.deviceTimeMs === 0) return "the device has no time (device_time_ms 0)";
  const times: [string, number][] = [
    ["frame", frame.deviceTimeMs],
    ...frame.samples.map((sample, index): [string, number] => [`sample ${index}`, sample.timestampMs]),
  ];
  for (const [what, timeMs] of times) {
    if (timeMs > gatewayNowMs + MAX_SAMPLE_LEAD_MS) {
      return `${what} is stamped ${iso(timeMs)}, ahead of the gateway's ${iso(gatewayNowMs)}`;
    }
    if (timeMs < gatewayNowMs - MAX_SAMPLE_AGE_MS) {
      return `${what} is stamped ${iso(timeMs)}, more than 30 days before the gateway's ${iso(gatewayNowMs)}`;
    }
  }
  return undefined;
}

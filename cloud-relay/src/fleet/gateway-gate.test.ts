import { describe, expect, it } from "vitest";
import { RelayRefusal } from "../errors.js";
import type { GatewayAccess, RateLimit } from "../store/gateway-access.js";
import { GatewayGate } from "./gateway-gate.js";

const ADDRESS = "127.0.0.1";

function gateWith(defaultRateLimit: RateLimit | undefined, own: GatewayAccess[] = []): GatewayGate {
  const access = {
    get: (gatewayId: string) => Promise.resolve(own.find((decision) => decision.gatewayId === gatewayId)),
    all: () => Promise.resolve(own),
  };
  return new GatewayGate({ access, defaultRateLimit });
}

/** 0 when the gate takes the batch, else the milliseconds its refusal tells the gateway to wait. */
function retryAfterMs(gate: GatewayGate, gatewayId: string, nowMs: number): number {
  try {
    gate.admitBatch(gatewayId, ADDRESS, nowMs);
    return 0;
  } catch (refusal) {
    if (!(refusal instanceof RelayRefusal)) throw refusal;
    expect(refusal.reason).toBe("rate_limited");
    return refusal.details.retryAfterMs as number;
  }
}

describe("per-gateway rate limits", () => {
  it("lets a burst through, then one batch per token as tokens come back, telling how long to wait", () => {
    const gate = gateWith({ batchesPerSecond: 2, burst: 3 });
    expect([0, 0, 0].map(() => retryAfterMs(gate, "a", 1_000))).toEqual([0, 0, 0]);
    expect(retryAfterMs(gate, "a", 1_000)).toBe(500);
    expect(retryAfterMs(gate, "a", 1_250)).toBe(250);
    expect(retryAfterMs(gate, "a", 1_500)).toBe(0);
    // Another gateway has a bucket of its own.
    expect(retryAfterMs(gate, "b", 1_500)).toBe(0);
    // Tokens come back no further than the burst.
    expect([0, 0, 0, 0].map(() => retryAfterMs(gate, "a", 60_000))).toEqual([0, 0, 0, 500]);
  });

  it("holds a gateway to its own limit over the default, fractional rates included", async () => {
    const own: GatewayAccess = {
      gatewayId: "a",
      revokedAtMs: undefined,
      revokedReason: undefined,
      allowedCidrs: undefined,
      rateLimit: { batchesPerSecond: 0.5, burst: 1 },
      updatedAtMs: 0,
    };
    const gate = gateWith({ batchesPerSecond: 100, burst: 100 }, [own]);
    await gate.admit("a", ADDRESS);
    expect(retryAfterMs(gate, "a", 0)).toBe(0);
    expect(retryAfterMs(gate, "a", 0)).toBe(2_000);
    expect(retryAfterMs(gate, "a", 2_000)).toBe(0);
  });

  it("takes every batch when neither the gateway nor the relay sets a limit", () => {
    const gate = gateWith(undefined);
    expect([1, 2, 3, 4, 5].map(() => retryAfterMs(gate, "a", 0))).toEqual([0, 0, 0, 0, 0]);
  });
});

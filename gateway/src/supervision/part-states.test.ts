import { describe, expect, it } from "vitest";
import type { UplinkStatus } from "../uplink/batch-uploader.js";
import { uplinkStall, uplinkState } from "./part-states.js";

const uplink = (fields: Partial<UplinkStatus>): UplinkStatus => ({
  state: "uploading",
  batchesAcked: 0,
  readingsAcked: 0,
  lastError: undefined,
  failures: 0,
  retryAtMs: undefined,
  lastAnswerAtMs: 1_000,
  lastAnchored: undefined,
  ...fields,
});

describe("the uplink as a supervised subsystem", () => {
  it("is wedged only when connected with batches waiting and the relay silent for the stall time", () => {
    expect(uplinkStall(uplink({}), 3, 90_000, 91_000)).toBe("the relay has answered nothing for 90 s with 3 batches waiting");
    expect(uplinkStall(uplink({}), 3, 90_000, 90_999)).toBeUndefined();
    // Nothing to send: silence is expected.
    expect(uplinkStall(uplink({}), 0, 90_000, 500_000)).toBeUndefined();
    // Between sessions the uplink backs off by itself.
    expect(uplinkStall(uplink({ state: "waiting" }), 3, 90_000, 500_000)).toBeUndefined();
  });

  it("is restarting while it waits to try again, and degraded once the relay refused it for good", () => {
    expect(uplinkState(uplink({}))).toBeUndefined();
    expect(uplinkState(uplink({ state: "waiting", failures: 4, lastError: "14 UNAVAILABLE", retryAtMs: 7 }))).toEqual({
      state: "restarting",
      attempt: 4,
      reason: "14 UNAVAILABLE",
      retryAtMs: 7,
    });
    expect(uplinkState(uplink({ state: "refused", failures: 2, lastError: "certificate revoked", retryAtMs: 9 }))).toEqual({
      state: "degraded",
      attempts: 2,
      reason: "certificate revoked",
      retryAtMs: 9,
    });
  });
});

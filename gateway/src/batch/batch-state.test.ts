import { describe, expect, it } from "vitest";
import { BATCH_STATES, IllegalBatchTransition, nextState, statesFor, type BatchEvent, type BatchState } from "./batch-state.js";

/** The lifecycle as the docs draw it: every legal move, and nothing else. */
const LEGAL: Record<string, BatchState> = {
  "sealed acknowledge": "acknowledged",
  "pruned acknowledge": "gap-acknowledged",
  "sealed prune": "pruned",
  "acknowledged release": "released",
};
const EVENTS: BatchEvent[] = ["acknowledge", "prune", "release"];

describe("the batch lifecycle", () => {
  it("moves a batch only along its transitions", () => {
    for (const state of BATCH_STATES) {
      for (const event of EVENTS) {
        const expected = LEGAL[`${state} ${event}`];
        if (expected) expect(nextState(7, state, event)).toBe(expected);
        else expect(() => nextState(7, state, event), `${event} from ${state}`).toThrow(IllegalBatchTransition);
      }
    }
  });

  it("says what was refused and from which states the move would be legal", () => {
    expect(() => nextState(7, "sealed", "release")).toThrow("batch 7 cannot release when sealed; only when acknowledged");
    expect(() => nextState(7, "acknowledged", "prune")).toThrow("batch 7 cannot prune when acknowledged; only when sealed");
    expect(() => nextState(7, undefined, "acknowledge")).toThrow("batch 7 cannot acknowledge: there is no such batch");
    expect(statesFor("acknowledge")).toEqual(["sealed", "pruned"]);
  });

  it("ends in released or gap-acknowledged, from which nothing moves a batch", () => {
    for (const terminal of ["released", "gap-acknowledged"] as const) {
      for (const event of EVENTS) expect(() => nextState(1, terminal, event)).toThrow(IllegalBatchTransition);
    }
  });
});

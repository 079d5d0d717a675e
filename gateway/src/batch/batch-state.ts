import { GatewayError } from "../errors.js";

/**
 * Where a sealed batch is in its life on the gateway, as stored in `batches.state`:
 * - `sealed`: signed and chained; its readings are here; the relay does not hold it yet.
 * - `pruned`: the disk filled before the relay had it; its readings were replaced by a
 *   signed prune record (rollups), which goes to the relay in their place.
 * - `acknowledged`: the relay stored it; its readings stay here for their retention.
 * - `released`: the relay stored it and the readings here were deleted.
 * - `gap-acknowledged`: the relay stored the prune record of a pruned batch.
 * Before a batch exists its readings are open (stored, waiting for their anomaly flag and
 * for sealing). Being sent is the upload window's in-memory state, and a proof is a
 * companion of the batch (see ProofStore); neither is a batch state.
 */
export const BATCH_STATES = ["sealed", "pruned", "acknowledged", "released", "gap-acknowledged"] as const;
export type BatchState = (typeof BATCH_STATES)[number];

/** What moves a sealed batch on. */
export type BatchEvent = "acknowledge" | "prune" | "release";

/** Every legal move: for each event, the states it applies to and where it leads. Anything else is refused. */
const TRANSITIONS: Record<BatchEvent, Partial<Record<BatchState, BatchState>>> = {
  // The relay stored the batch durably (or holds it already, as its registration says).
  acknowledge: { sealed: "acknowledged", pruned: "gap-acknowledged" },
  // The disk quota needs the space and the relay does not hold the batch yet.
  prune: { sealed: "pruned" },
  // The relay holds the batch: its readings here may go.
  release: { acknowledged: "released" },
};

/** States whose batches still have their readings here: these can be proved and sent with readings. */
export const HOLDING_READINGS: readonly BatchState[] = ["sealed", "acknowledged"];
/** States of batches the relay does not hold yet: the backlog. */
export const AWAITING_RELAY: readonly BatchState[] = ["sealed", "pruned"];

/** A list of states as SQL string literals (the states are fixed identifiers, never input). */
export function sqlStates(states: readonly BatchState[]): string {
  return states.map((state) => `'${state}'`).join(", ");
}

export class IllegalBatchTransition extends GatewayError {
  constructor(sequence: number, event: BatchEvent, state: BatchState | undefined) {
    super(
      state === undefined
        ? `batch ${sequence} cannot ${event}: there is no such batch`
        : `batch ${sequence} cannot ${event} when ${state}; only when ${statesFor(event).join(" or ")}`,
      { sequence, event, state },
    );
  }
}

/** The states `event` applies to. */
export function statesFor(event: BatchEvent): BatchState[] {
  return Object.keys(TRANSITIONS[event]) as BatchState[];
}

/** Where `event` takes a batch in `state`; refuses a move the lifecycle does not have. */
export function nextState(sequence: number, state: BatchState | undefined, event: BatchEvent): BatchState {
  const next = state === undefined ? undefined : TRANSITIONS[event][state];
  if (next === undefined) throw new IllegalBatchTransition(sequence, event, state);
  return next;
}

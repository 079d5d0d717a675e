import type { SupervisedState } from "@intelledger/service-kit";
import type { NodeRedStatus } from "../node-red/node-red-supervisor.js";
import type { UplinkStatus } from "../uplink/batch-uploader.js";

/**
 * The uplink restarts its own sessions with backoff (see BatchUploader): while it waits to
 * try again it is restarting, and once the relay refused it for good it is degraded.
 */
export function uplinkState(status: UplinkStatus): SupervisedState | undefined {
  const reason = status.lastError ?? "the relay session ended";
  if (status.state === "waiting") {
    return { state: "restarting", attempt: status.failures, reason, retryAtMs: status.retryAtMs };
  }
  if (status.state === "refused") return { state: "degraded", attempts: status.failures, reason, retryAtMs: status.retryAtMs };
  return undefined;
}

/**
 * Why an uplink connected to the relay is wedged: it has batches to send and the relay has
 * answered nothing (a registration, an acknowledgement) for `stallMs`. A relay that is down
 * ends the session by itself; this finds one that holds the connection open and is silent.
 */
export function uplinkStall(
  status: UplinkStatus,
  waitingBatches: number,
  stallMs: number,
  nowMs = Date.now(),
): string | undefined {
  if (status.state !== "uploading" || waitingBatches === 0 || status.lastAnswerAtMs === undefined) return undefined;
  const silentMs = nowMs - status.lastAnswerAtMs;
  if (silentMs < stallMs) return undefined;
  return `the relay has answered nothing for ${Math.round(silentMs / 1000)} s with ${waitingBatches} batches waiting`;
}

/** Node-RED's own supervisor restarts it after a crash and falls back to safe mode; said here in the gateway's terms. */
export function nodeRedState(status: NodeRedStatus): SupervisedState | undefined {
  if (status.state === "restarting") {
    return {
      state: "restarting",
      attempt: status.restarts,
      reason: status.lastExit?.reason ?? "Node-RED stopped",
      retryAtMs: undefined,
    };
  }
  if (status.state === "safe-mode") {
    return { state: "degraded", attempts: status.restarts, reason: status.safeModeReason ?? "safe mode", retryAtMs: undefined };
  }
  return undefined;
}

/** Node-RED gave up starting after repeated failures: the gateway starts it afresh, later. */
export function nodeRedFailure(status: NodeRedStatus): string | undefined {
  return status.state === "failed" ? `Node-RED did not start: ${status.lastExit?.reason ?? "no reason given"}` : undefined;
}

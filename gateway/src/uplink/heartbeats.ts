import { Metadata } from "@grpc/grpc-js";
import type { AnchoredBatch, GatewayRelayServiceClient, HeartbeatResponse } from "@intelledger/proto/relay";
import type { Logger } from "pino";
import type { Backlog } from "../batch/batch-outbox.js";
import type { GatewayClock } from "../clock/gateway-clock.js";
import { hostUptimeMs } from "../clock/host-boot.js";
import { GATEWAY_VERSION } from "../gateway-version.js";
import { callDeadline } from "./relay-client.js";
import { checkClockAgainstRelay } from "./relay-clock.js";

export interface HeartbeatOptions {
  client: Pick<GatewayRelayServiceClient, "heartbeat">;
  gatewayId: string;
  clock: GatewayClock;
  /** What is waiting for the relay, reported with each heartbeat. */
  backlog: () => Backlog;
  intervalMs: number;
  /** Told the newest of the gateway's anchored batches, with each answer once there is one. */
  onAnchored: (anchored: AnchoredBatch) => void;
  logger: Logger;
}

/**
 * Tells the relay every `intervalMs` that the gateway is alive and how much it still has to
 * send; each answer carries the relay's time, which the gateway's clock is checked against,
 * and the newest of the gateway's batches the relay has anchored.
 * A failed heartbeat is only logged: the upload stream is what notices a lost relay.
 * Returns the function that stops them.
 */
export function startHeartbeats(options: HeartbeatOptions): () => void {
  const { client, gatewayId, clock, backlog, intervalMs, onAnchored, logger } = options;
  const timer = setInterval(() => {
    const { batches, readings } = backlog();
    const sentAtUptimeMs = hostUptimeMs();
    client.heartbeat(
      {
        gatewayId,
        sentAtMs: Date.now(),
        backlogBatches: batches,
        backlogReadings: readings,
        boot: clock.boot,
        uptimeMs: sentAtUptimeMs,
        softwareVersion: GATEWAY_VERSION,
      },
      new Metadata(),
      { deadline: callDeadline() },
      (error: Error | null, response?: HeartbeatResponse) => {
        if (error) logger.debug({ err: error }, "heartbeat failed");
        if (!response) return;
        checkClockAgainstRelay(clock, logger, response.relayTimeMs, sentAtUptimeMs);
        if (response.lastAnchored) onAnchored(response.lastAnchored);
      },
    );
  }, intervalMs);
  return () => clearInterval(timer);
}

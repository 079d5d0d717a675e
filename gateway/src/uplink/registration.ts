import { Metadata, status } from "@grpc/grpc-js";
import { signRegistration, type GatewayRelayServiceClient, type RegisterResponse } from "@intelledger/proto/relay";
import type { Wallet } from "ethers";
import type { Logger } from "pino";
import type { BatchOutbox } from "../batch/batch-outbox.js";
import type { GatewayClock } from "../clock/gateway-clock.js";
import { hostUptimeMs } from "../clock/host-boot.js";
import { GatewayError } from "../errors.js";
import { GATEWAY_VERSION } from "../gateway-version.js";
import { callDeadline } from "./relay-client.js";
import { checkClockAgainstRelay } from "./relay-clock.js";
import { isServiceError, trailerMs } from "./relay-status.js";

/** The relay's record of this gateway is not this gateway's chain: uploading would only be refused. */
export class ChainMismatchError extends GatewayError {}

export interface RegistrationDeps {
  client: Pick<GatewayRelayServiceClient, "register">;
  identity: Wallet;
  clock: GatewayClock;
  logger: Logger;
}

/**
 * Introduces the gateway to the relay, signed with its key, and checks the gateway's clock
 * against the relay's time. The answer says where the relay's record of the gateway ends.
 * A relay that refuses the gateway's clock (too far from its own) says its time; the
 * registration is then signed again with that time, and the clock check reports the error.
 */
export async function register(deps: RegistrationDeps): Promise<RegisterResponse> {
  try {
    return await registerAt(deps, Date.now());
  } catch (error) {
    const relayTimeMs =
      isServiceError(error) && error.code === status.FAILED_PRECONDITION ? trailerMs(error, "x-detail-relay-time-ms") : undefined;
    if (relayTimeMs === undefined) throw error;
    deps.logger.warn(
      { relayTimeMs, gatewayTimeMs: Date.now() },
      "the relay refused the gateway's clock; registering with the relay's time",
    );
    return registerAt(deps, relayTimeMs);
  }
}

async function registerAt(deps: RegistrationDeps, timestampMs: number): Promise<RegisterResponse> {
  const { client, identity, clock, logger } = deps;
  const signature = await signRegistration(identity, identity.address, timestampMs);
  const sentAtUptimeMs = hostUptimeMs();
  const response = await new Promise<RegisterResponse>((resolve, reject) => {
    client.register(
      {
        gatewayId: identity.address,
        timestampMs,
        signature,
        boot: clock.boot,
        uptimeMs: sentAtUptimeMs,
        softwareVersion: GATEWAY_VERSION,
      },
      new Metadata(),
      { deadline: callDeadline() },
      (error, reply) => (error ? reject(error) : resolve(reply)),
    );
  });
  checkClockAgainstRelay(clock, logger, response.relayTimeMs, sentAtUptimeMs);
  return response;
}

/**
 * Aligns the outbox with what the relay holds and returns the sequence to upload next. The
 * relay's last batch must be this gateway's own (same sequence, same hash); every batch up
 * to it is then acknowledged, whether or not its ack reached the gateway before.
 */
export function resumePoint(registration: RegisterResponse, outbox: BatchOutbox): number {
  const relayLast = registration.nextSequence - 1;
  if (relayLast <= 0) return 1;
  const local = outbox.get(relayLast);
  if (!local) {
    throw new ChainMismatchError("the relay holds batches this gateway never sealed; its database does not match this gateway", {
      relayLastSequence: relayLast,
      localLastSequence: outbox.last()?.sequence ?? 0,
    });
  }
  if (Buffer.compare(local.batchHash, registration.lastBatchHash) !== 0) {
    throw new ChainMismatchError("the relay's last batch differs from this gateway's; refusing to upload", {
      sequence: relayLast,
    });
  }
  outbox.acknowledgeThrough(relayLast);
  return registration.nextSequence;
}

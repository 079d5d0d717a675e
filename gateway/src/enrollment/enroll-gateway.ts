import type { Wallet } from "ethers";
import type { AuditLog } from "../auth/audit-log.js";
import type { ApplyOutcome, ConfigManager } from "../config-admin/config-manager.js";
import { gatewayConfigSchema } from "../config.js";
import { enrollWithRelay, type EnrolledRelay } from "./relay-enrollment.js";

export interface EnrollmentRequestBody {
  /** host:port of the relay's enrollment endpoint. */
  relayAddress: string;
  token: string;
  relayCaFingerprint: string;
}

/**
 * Enrolls with a relay and puts the result in force: the configuration's relay section
 * points at the new files and the relay's gRPC address, applied live (the uplink restarts)
 * and watched like any apply. Audited as `uplink.enroll`.
 */
export async function enrollGateway(
  deps: { identity: Wallet; management: ConfigManager; audit: AuditLog; relayDir: string },
  actor: string,
  request: EnrollmentRequestBody,
): Promise<{ enrolled: EnrolledRelay; outcome: ApplyOutcome }> {
  const enrolled = await enrollWithRelay({ ...request, identity: deps.identity, dir: deps.relayDir });
  const { certificate, ...files } = enrolled;
  deps.audit.record(actor, "uplink.enroll", request.relayAddress, { relay: files.address, certificate });
  const current = deps.management.current.config;
  // The relay's certificate names the host enrolled with, so no other name is checked.
  const relay: Record<string, unknown> = { ...current.relay, ...files };
  delete relay.serverName;
  const next = gatewayConfigSchema.parse({ ...current, relay });
  const outcome = await deps.management.apply(actor, next, { comment: `enrolled with the relay at ${request.relayAddress}` });
  return { enrolled, outcome };
}

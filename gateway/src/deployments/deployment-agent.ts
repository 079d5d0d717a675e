import { createHash } from "node:crypto";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Metadata, type ClientUnaryCall, type ServiceError } from "@grpc/grpc-js";
import {
  DeploymentOutcome,
  DeploymentServiceClient,
  type FetchDeploymentResponse,
  type ReportDeploymentRequest,
} from "@intelledger/proto/relay";
import { errorMessage } from "@intelledger/service-kit";
import type { Logger } from "pino";
import { z } from "zod";
import { ConfigApplyError, ConfigBusyError, type ConfigManager } from "../config-admin/config-manager.js";
import { gatewayConfigSchema, type GatewayConfig } from "../config.js";
import { callDeadline, relayChannel } from "../uplink/relay-client.js";
import { DeploymentRefusedError, verifyDeployment, type DeploymentDocument } from "./deployment-verifier.js";

/** Fields a deployment may not set: they keep the gateway where its data is and reachable by the relay. */
const PROTECTED_FIELDS = ["dataDir", "relay"] as const;

/** What the agent remembers across restarts (in `<dataDir>/deployment-state.json`). */
interface AgentState {
  /** The version of the last deployment applied and kept; 0 for none. */
  appliedVersion: number;
  /** SHA-256 of the last document handled, whatever its outcome: it is not handled twice. */
  handledDigest: string | undefined;
  /** A report the relay has not taken yet. */
  pendingReport: Omit<ReportDeploymentRequest, "gatewayId"> | undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The configuration with the fragment laid over it: objects merge field by field, anything else is replaced. */
export function mergeConfig(base: Record<string, unknown>, fragment: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(fragment)) {
    const below = merged[key];
    merged[key] = isPlainObject(value) && isPlainObject(below) ? mergeConfig(below, value) : value;
  }
  return merged;
}

/**
 * Takes the gateway's desired state from the relay, as Azure IoT Edge and Greengrass
 * deployments do: asks the relay every `relay.deploymentPollMs` for the deployment meant
 * for this gateway (its own, else the fleet's), checks it was signed by the relay's
 * deployment key, lays its configuration fragment over the configuration in force and
 * applies the result through the configuration manager (health watch, rollback), then
 * reports the outcome and the revision it became.
 */
export class DeploymentAgent {
  private readonly gatewayId: string;
  private readonly management: ConfigManager;
  private readonly statePath: string;
  private readonly logger: Logger;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  /** The call in progress, cancelled on stop so that no call to an unreachable relay holds the gateway's stop. */
  private inFlight: ClientUnaryCall | undefined;
  private stopped = false;

  constructor(options: { gatewayId: string; management: ConfigManager; dataDir: string; logger: Logger }) {
    this.gatewayId = options.gatewayId;
    this.management = options.management;
    this.statePath = join(options.dataDir, "deployment-state.json");
    this.logger = options.logger;
  }

  start(): void {
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.inFlight?.cancel();
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.poll()
        .catch((error: unknown) =>
          this.logger.warn({ err: error }, "asking the relay for a deployment failed; trying again later"),
        )
        .finally(() => this.schedule(this.management.current.config.relay?.deploymentPollMs ?? 30_000));
    }, delayMs);
  }

  private async poll(): Promise<void> {
    const relay = this.management.current.config.relay;
    if (!relay) return;
    const channel = relayChannel(relay);
    const client = new DeploymentServiceClient(channel.address, channel.credentials, channel.options);
    try {
      let state = this.readState();
      if (state.pendingReport) {
        await this.report(client, state.pendingReport);
        state = this.writeState({ ...state, pendingReport: undefined });
      }
      const { deployment } = await this.unary<FetchDeploymentResponse>((done) =>
        client.fetchDeployment(
          { gatewayId: this.gatewayId, appliedVersion: state.appliedVersion },
          new Metadata(),
          { deadline: callDeadline() },
          done,
        ),
      );
      if (!deployment) return;
      const digest = createHash("sha256").update(deployment.document).digest("hex");
      if (digest === state.handledDigest) return;
      const outcome = await this.handle(
        () => verifyDeployment(deployment, readFileSync(relay.caCertFile), this.gatewayId),
        state,
      );
      if (outcome === undefined) return;
      state = this.writeState({
        appliedVersion: outcome.outcome === DeploymentOutcome.DEPLOYMENT_OUTCOME_APPLIED ? outcome.version : state.appliedVersion,
        handledDigest: digest,
        pendingReport: outcome,
      });
      await this.report(client, outcome);
      this.writeState({ ...state, pendingReport: undefined });
    } finally {
      client.close();
    }
  }

  /** Verifies and applies; undefined when the configuration manager is busy (tried again next time). */
  private async handle(
    verified: () => DeploymentDocument,
    state: AgentState,
  ): Promise<Omit<ReportDeploymentRequest, "gatewayId"> | undefined> {
    let document: DeploymentDocument;
    try {
      document = verified();
    } catch (error) {
      if (!(error instanceof DeploymentRefusedError)) throw error;
      this.logger.error({ err: error }, "refused a deployment");
      return { version: 0, outcome: DeploymentOutcome.DEPLOYMENT_OUTCOME_REFUSED, detail: error.message, revision: 0 };
    }
    const { version } = document;
    const result = (outcome: DeploymentOutcome, detail: string, revision = 0) => ({ version, outcome, detail, revision });
    if (version <= state.appliedVersion) {
      return result(
        DeploymentOutcome.DEPLOYMENT_OUTCOME_REFUSED,
        `version ${version} is not newer than version ${state.appliedVersion}, applied already`,
      );
    }
    const touched = PROTECTED_FIELDS.filter((field) => field in document.config);
    if (touched.length > 0) {
      return result(DeploymentOutcome.DEPLOYMENT_OUTCOME_INVALID, `a deployment cannot set ${touched.join(", ")}`);
    }
    const current = this.management.current.config;
    const next = gatewayConfigSchema.safeParse(mergeConfig(current, document.config));
    if (!next.success) {
      return result(
        DeploymentOutcome.DEPLOYMENT_OUTCOME_INVALID,
        `the configuration it makes is not valid:\n${z.prettifyError(next.error)}`,
      );
    }
    this.logger.info({ version, target: document.target }, "applying a deployment from the relay");
    return this.apply(next.data, version, result);
  }

  private async apply(
    next: GatewayConfig,
    version: number,
    result: (outcome: DeploymentOutcome, detail: string, revision?: number) => Omit<ReportDeploymentRequest, "gatewayId">,
  ): Promise<Omit<ReportDeploymentRequest, "gatewayId"> | undefined> {
    try {
      const applied = await this.management.apply("relay:deployment", next, { comment: `deployment ${version} from the relay` });
      if (applied.mode === "none")
        return result(DeploymentOutcome.DEPLOYMENT_OUTCOME_APPLIED, "nothing to change", applied.revision);
      await this.management.settled();
      const revision = this.management.revision(applied.revision);
      return revision?.status === "kept"
        ? result(DeploymentOutcome.DEPLOYMENT_OUTCOME_APPLIED, "", applied.revision)
        : result(DeploymentOutcome.DEPLOYMENT_OUTCOME_ROLLED_BACK, revision?.rollbackReason ?? "rolled back", applied.revision);
    } catch (error) {
      if (error instanceof ConfigBusyError) return undefined;
      if (error instanceof ConfigApplyError) {
        return result(
          DeploymentOutcome.DEPLOYMENT_OUTCOME_ROLLED_BACK,
          error.message,
          this.management.revisions()[0]?.revision ?? 0,
        );
      }
      return result(DeploymentOutcome.DEPLOYMENT_OUTCOME_INVALID, errorMessage(error));
    }
  }

  private async report(client: DeploymentServiceClient, outcome: Omit<ReportDeploymentRequest, "gatewayId">): Promise<void> {
    await this.unary((done) =>
      client.reportDeployment({ gatewayId: this.gatewayId, ...outcome }, new Metadata(), { deadline: callDeadline() }, done),
    );
  }

  private unary<Reply>(start: (done: (error: ServiceError | null, reply?: Reply) => void) => ClientUnaryCall): Promise<Reply> {
    return new Promise<Reply>((resolve, reject) => {
      this.inFlight = start((error, reply) => {
        this.inFlight = undefined;
        if (error) reject(error);
        else resolve(reply as Reply);
      });
    });
  }

  private readState(): AgentState {
    if (!existsSync(this.statePath)) return { appliedVersion: 0, handledDigest: undefined, pendingReport: undefined };
    return JSON.parse(readFileSync(this.statePath, "utf8")) as AgentState;
  }

  private writeState(state: AgentState): AgentState {
    const temporary = `${this.statePath}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(state)}\n`, { mode: 0o600 });
    renameSync(temporary, this.statePath);
    return state;
  }
}

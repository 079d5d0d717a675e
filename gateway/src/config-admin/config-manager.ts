import { errorMessage } from "@intelledger/service-kit";
import type { Logger } from "pino";
import type { AuditLog } from "../auth/audit-log.js";
import type { GatewayConfig } from "../config.js";
import { GatewayConfigError, GatewayError } from "../errors.js";
import { applyModeOf, diffConfigs, type ConfigChange } from "./config-diff.js";
import type { LivePart } from "./config-fields.js";
import { watchHealth, type GatewayHealth } from "./config-health.js";
import type { ConfigHistory, ConfigRevision } from "./config-history.js";

/** Another apply is in progress or being watched: 409. */
export class ConfigBusyError extends GatewayError {}

/** A configuration that passed validation but could not be put in force; it was rolled back. */
export class ConfigApplyError extends GatewayError {}

/** What the configuration manager acts on: the running gateway, across its restarts. */
export interface ConfigTarget {
  health(): GatewayHealth;
  /** Updates or restarts the parts named, which read the new configuration. */
  applyLive(next: GatewayConfig, parts: ReadonlySet<LivePart>): Promise<void>;
  /** Stops every part and starts them again with `next`; throws when they do not start. */
  restart(next: GatewayConfig): Promise<void>;
  /** The audit log of the parts running now. */
  audit(): AuditLog;
}

export interface ApplyOutcome {
  /** The revision in force after the call. */
  revision: number;
  changes: ConfigChange[];
  /** none: nothing changed; live: applied in place; restart: the gateway's parts restart (after the reply). */
  mode: "none" | "live" | "restart";
  /** How long the gateway watches its health before keeping the change. */
  watchMs: number;
}

export interface ApplyOptions {
  comment?: string | undefined;
  /** Runs a restart once the caller has answered (the restart closes the HTTP server). */
  afterReply?: (run: () => void) => void;
}

function livePartsOf(changes: readonly ConfigChange[]): Set<LivePart> {
  return new Set(changes.flatMap((change) => (change.part ? [change.part] : [])));
}

/**
 * The configuration as one document: validated, compared, applied live or by a supervised
 * restart, watched for health afterwards and rolled back by the gateway itself when the
 * health watch fails; every step audited and kept in the history.
 */
export class ConfigManager {
  private readonly history: ConfigHistory;
  private readonly target: ConfigTarget;
  private readonly logger: Logger;
  private busy: string | undefined;
  private watch: AbortController | undefined;
  private watched: Promise<void> = Promise.resolve();

  constructor(deps: { history: ConfigHistory; target: ConfigTarget; logger: Logger }) {
    this.history = deps.history;
    this.target = deps.target;
    this.logger = deps.logger;
  }

  get current(): ConfigRevision {
    return this.history.current;
  }

  revisions(): ConfigRevision[] {
    return this.history.list();
  }

  revision(revision: number): ConfigRevision | undefined {
    return this.history.get(revision);
  }

  diff(next: GatewayConfig): ConfigChange[] {
    return diffConfigs(this.current.config, next);
  }

  /** Settles once the health watch in progress (if any) has decided. */
  settled(): Promise<void> {
    return this.watched;
  }

  apply(actor: string, next: GatewayConfig, options: ApplyOptions = {}): Promise<ApplyOutcome> {
    return this.put(actor, next, { ...options, origin: "apply" });
  }

  revert(actor: string, revision: number, options: ApplyOptions = {}): Promise<ApplyOutcome> {
    const earlier = this.history.get(revision);
    if (!earlier) throw new GatewayConfigError(`there is no configuration revision ${revision}`);
    return this.put(actor, earlier.config, { ...options, origin: "revert", restores: revision });
  }

  /** Ends a health watch in progress without a verdict (the gateway is stopping). */
  stop(): Promise<void> {
    this.watch?.abort();
    return this.watched;
  }

  private async put(
    actor: string,
    next: GatewayConfig,
    options: ApplyOptions & { origin: "apply" | "revert"; restores?: number },
  ): Promise<ApplyOutcome> {
    if (this.busy) throw new ConfigBusyError(`another configuration change is ${this.busy}; try again when it is done`);
    const previous = this.current;
    if (next.dataDir !== previous.config.dataDir) {
      throw new GatewayConfigError("dataDir cannot change through the API: it is where the gateway keeps its configuration");
    }
    const changes = diffConfigs(previous.config, next);
    const watchMs = next.configApply.watchMs;
    const mode = applyModeOf(changes);
    if (mode === "none") return { revision: previous.revision, changes, mode, watchMs: 0 };
    const before = this.target.health();
    const revision = this.history.add({
      actor,
      origin: options.origin,
      status: "watching",
      config: next,
      replaces: previous.revision,
      ...(options.comment === undefined ? {} : { comment: options.comment }),
      ...(options.restores === undefined ? {} : { restores: options.restores }),
    });
    this.target.audit().record(actor, `config.${options.origin}`, `revision ${revision.revision}`, {
      previousRevision: previous.revision,
      mode,
      changes,
      ...(options.comment === undefined ? {} : { comment: options.comment }),
    });
    this.busy = "being applied";
    const carryOut = async (): Promise<string | undefined> => {
      try {
        if (mode === "live") await this.target.applyLive(next, livePartsOf(changes));
        else await this.target.restart(next);
      } catch (error) {
        const reason = `applying it failed: ${errorMessage(error)}`;
        await this.rollBack(revision, previous, changes, mode, reason);
        return reason;
      }
      this.watchAfter(revision, previous, changes, mode, before);
      return undefined;
    };
    if (mode === "restart" && options.afterReply) {
      options.afterReply(() => void carryOut());
    } else {
      const failure = await carryOut();
      if (failure) throw new ConfigApplyError(`revision ${revision.revision} was rolled back: ${failure}`, { changes });
    }
    return { revision: revision.revision, changes, mode, watchMs };
  }

  private watchAfter(
    revision: ConfigRevision,
    previous: ConfigRevision,
    changes: ConfigChange[],
    mode: "live" | "restart",
    before: GatewayHealth,
  ): void {
    const abort = new AbortController();
    this.watch = abort;
    this.busy = "being watched for health";
    this.watched = watchHealth({
      probe: () => this.target.health(),
      before,
      watchMs: revision.config.configApply.watchMs,
      uplinkWithinMs: revision.config.configApply.uplinkWithinMs,
      signal: abort.signal,
    })
      .then(async (verdict) => {
        if (verdict.healthy) {
          if (!abort.signal.aborted) this.history.update(revision.revision, { status: "kept" });
          return;
        }
        await this.rollBack(revision, previous, changes, mode, verdict.reason);
      })
      .catch((error: unknown) => this.logger.error({ err: error }, "watching a configuration change failed"))
      .finally(() => {
        this.watch = undefined;
        this.busy = undefined;
      });
  }

  private async rollBack(
    revision: ConfigRevision,
    previous: ConfigRevision,
    changes: ConfigChange[],
    mode: "live" | "restart",
    reason: string,
  ): Promise<void> {
    this.busy = "being rolled back";
    this.logger.error({ revision: revision.revision, restoring: previous.revision, reason }, "rolling back a configuration");
    this.history.update(revision.revision, { status: "rolled-back", rollbackReason: reason });
    this.history.setCurrent(previous.revision);
    let restoreFailure: string | undefined;
    try {
      if (mode === "live") await this.target.applyLive(previous.config, livePartsOf(changes));
      else await this.target.restart(previous.config);
    } catch (error) {
      restoreFailure = errorMessage(error);
      this.logger.error({ err: error }, "restoring the previous configuration failed");
    }
    try {
      this.target.audit().record("system", "config.rollback", `revision ${revision.revision}`, {
        restoredRevision: previous.revision,
        reason,
        changes,
        ...(restoreFailure === undefined ? {} : { restoreFailure }),
      });
    } finally {
      this.busy = undefined;
    }
  }
}

import { errorMessage } from "@intelledger/service-kit";
import type { Logger } from "pino";
import type { AuditLog } from "./auth/audit-log.js";
import type { LivePart } from "./config-admin/config-fields.js";
import type { GatewayHealth } from "./config-admin/config-health.js";
import { ConfigHistory } from "./config-admin/config-history.js";
import { ConfigManager } from "./config-admin/config-manager.js";
import type { GatewayConfig } from "./config.js";
import { GatewayError } from "./errors.js";

/** One start of the gateway's parts, with what the configuration manager needs of it. */
export interface RunningParts<Service> {
  readonly service: Service;
  readonly audit: AuditLog;
  readonly ports: { http: number; mqtt: number | undefined };
  health(): GatewayHealth;
  applyLive(next: GatewayConfig, parts: ReadonlySet<LivePart>): Promise<void>;
  stop(): Promise<void>;
}

/** What the supervisor adds to the running parts' service. */
export interface SupervisedGateway {
  readonly management: ConfigManager;
  /** The health of the parts running now (unhealthy while they restart). */
  health(): GatewayHealth;
}

/** Ports chosen at random (configured as 0) stay the same across in-process restarts. */
function keepRandomPorts(config: GatewayConfig, ports: RunningParts<unknown>["ports"] | undefined): GatewayConfig {
  if (!ports) return config;
  return {
    ...config,
    http: { ...config.http, port: config.http.port === 0 ? ports.http : config.http.port },
    mqtt: { ...config.mqtt, port: config.mqtt.port === 0 ? (ports.mqtt ?? 0) : config.mqtt.port },
  };
}

/**
 * Starts the parts with the configuration in force; when they do not start with it (a
 * certificate file that is not there, a port that is taken, a models folder that is
 * missing), marks that revision rolled back and starts with the last one known to work,
 * audited once the parts run. Without one, the first failure is the gateway's.
 */
async function startWithLastKnownGood<Service>(
  history: ConfigHistory,
  started: GatewayConfig,
  startParts: (config: GatewayConfig) => Promise<RunningParts<Service>>,
  logger: Logger,
): Promise<RunningParts<Service>> {
  const config = history.startConfig(started);
  try {
    return await startParts(config);
  } catch (error) {
    const failed = history.current;
    const fallback = history.lastKnownGood(failed);
    if (!fallback) throw error;
    const reason = `the gateway did not start with it: ${errorMessage(error)}`;
    logger.error(
      { err: error, revision: failed.revision, restoring: fallback.revision },
      "starting with the last configuration known to work",
    );
    history.update(failed.revision, { status: "rolled-back", rollbackReason: reason });
    history.setCurrent(fallback.revision);
    const running = await startParts(fallback.config);
    running.audit.record("system", "config.rollback", `revision ${failed.revision}`, {
      restoredRevision: fallback.revision,
      reason,
    });
    return running;
  }
}

/**
 * Runs the gateway's parts under its configuration manager: starts them with the applied
 * configuration (see ConfigHistory for which one), applies live changes to them, and
 * restarts all of them in this process for changes that need it. The service returned
 * always stands for the parts running now.
 */
export async function superviseGateway<Service extends object>(
  started: GatewayConfig,
  logger: Logger,
  startParts: (config: GatewayConfig, management: ConfigManager) => Promise<RunningParts<Service>>,
  /** Runs beside the parts, across their restarts (the deployment agent); stopped first. */
  companion?: (gateway: Service & SupervisedGateway) => { stop(): Promise<void> },
): Promise<Service & SupervisedGateway> {
  const history = new ConfigHistory(started.dataDir, logger.child({ component: "config" }));
  let running: RunningParts<Service> | undefined;
  let lastPorts: RunningParts<unknown>["ports"] | undefined;
  const requireRunning = (): RunningParts<Service> => {
    if (!running) {
      throw new GatewayError("the gateway's parts are not running: they are restarting for a new configuration, or stopped");
    }
    return running;
  };
  // Between a stop and a start for a new configuration nothing runs, which is unhealthy.
  const health = (): GatewayHealth =>
    running?.health() ?? { ingestRunning: false, databaseWritable: false, uplink: undefined, uplinkError: undefined };
  const management: ConfigManager = new ConfigManager({
    history,
    logger: logger.child({ component: "config" }),
    target: {
      health,
      applyLive: (next, parts) => requireRunning().applyLive(next, parts),
      audit: () => requireRunning().audit,
      async restart(next) {
        logger.warn("restarting the gateway's parts for a new configuration");
        const stopping = running;
        running = undefined;
        await stopping?.stop();
        running = await startParts(keepRandomPorts(next, lastPorts), management);
        lastPorts = running.ports;
      },
    },
  });
  running = await startWithLastKnownGood(history, started, (config) => startParts(config, management), logger);
  lastPorts = running.ports;
  const stop = async () => {
    await companionRunning?.stop();
    await management.stop();
    const stopping = running;
    running = undefined;
    await stopping?.stop();
  };
  const gateway = new Proxy({} as Service & SupervisedGateway, {
    get(_target, key) {
      if (key === "stop") return stop;
      if (key === "management") return management;
      if (key === "health") return health;
      return Reflect.get(requireRunning().service, key) as unknown;
    },
  });
  const companionRunning = companion?.(gateway);
  return gateway;
}

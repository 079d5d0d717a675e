import type { Logger } from "pino";
import type { AuditLog } from "./auth/audit-log.js";
import type { LivePart } from "./config-admin/config-fields.js";
import type { GatewayHealth } from "./config-admin/config-health.js";
import { ConfigHistory } from "./config-admin/config-history.js";
import { ConfigManager } from "./config-admin/config-manager.js";
import type { GatewayConfig } from "./config.js";

/** One start of the gateway's parts, with what the configuration manager needs of it. */
export interface RunningParts<Service> {
  readonly service: Service;
  readonly audit: AuditLog;
  readonly ports: { http: number; mqtt: number | undefined };
  health(): GatewayHealth;
  applyLive(next: GatewayConfig, parts: ReadonlySet<LivePart>): Promise<void>;
  stop(): Promise<void>;
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
 * Runs the gateway's parts under its configuration manager: starts them with the applied
 * configuration (see ConfigHistory for which one), applies live changes to them, and
 * restarts all of them in this process for changes that need it. The service returned
 * always stands for the parts running now.
 */
export async function superviseGateway<Service extends object>(
  started: GatewayConfig,
  logger: Logger,
  startParts: (config: GatewayConfig, management: ConfigManager) => Promise<RunningParts<Service>>,
): Promise<Service & { readonly management: ConfigManager }> {
  const history = new ConfigHistory(started.dataDir, logger.child({ component: "config" }));
  let running: RunningParts<Service> | undefined;
  let lastPorts: RunningParts<unknown>["ports"] | undefined;
  const requireRunning = (): RunningParts<Service> => {
    if (!running) throw new Error("the gateway's parts are not running");
    return running;
  };
  const management: ConfigManager = new ConfigManager({
    history,
    logger: logger.child({ component: "config" }),
    target: {
      health: () =>
        running?.health() ?? { ingestRunning: false, databaseWritable: false, uplink: undefined, uplinkError: undefined },
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
  running = await startParts(history.startConfig(started), management);
  lastPorts = running.ports;
  const stop = async () => {
    await management.stop();
    const stopping = running;
    running = undefined;
    await stopping?.stop();
  };
  return new Proxy({} as Service & { readonly management: ConfigManager }, {
    get(_target, key) {
      if (key === "stop") return stop;
      if (key === "management") return management;
      return Reflect.get(requireRunning().service, key) as unknown;
    },
  });
}

import type { Logger } from "pino";
import type { GatewayHealth } from "../config-admin/config-health.js";

/** Why the gateway must not tell the watchdog it is alive, or undefined when it may. */
export function watchdogProblem(health: GatewayHealth): string | undefined {
  if (!health.databaseWritable) return "the database is not writable";
  if (!health.ingestRunning) return "ingest is not running";
  return undefined;
}

export interface ServiceWatchdogOptions {
  manager: { readonly watchdogMs: number | undefined; notify(fields: Record<string, string>): void };
  health: () => GatewayHealth;
  logger: Logger;
}

/**
 * Tells the service manager the gateway is ready and, at half the watchdog interval, that it
 * is alive: only while the database takes writes and ingest runs (some transport), and only
 * from the event loop, so a wedged loop stops the pets as well. When they stop, systemd kills
 * and restarts the gateway after WatchdogSec; the reason is in the unit's status line.
 */
export class ServiceWatchdog {
  private readonly options: ServiceWatchdogOptions;
  private timer: NodeJS.Timeout | undefined;
  private lastProblem: string | undefined;

  constructor(options: ServiceWatchdogOptions) {
    this.options = options;
  }

  ready(status: string): void {
    this.notify({ READY: "1", STATUS: status });
    const { watchdogMs } = this.options.manager;
    if (watchdogMs === undefined) return;
    this.pet();
    this.timer = setInterval(() => this.pet(), Math.max(1, Math.floor(watchdogMs / 2)));
  }

  stopping(): void {
    this.stop();
    this.notify({ STOPPING: "1", STATUS: "stopping" });
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private pet(): void {
    const problem = watchdogProblem(this.options.health());
    if (problem === undefined) {
      this.notify(this.lastProblem === undefined ? { WATCHDOG: "1" } : { WATCHDOG: "1", STATUS: "running" });
    } else if (problem !== this.lastProblem) {
      this.options.logger.error({ problem }, "not petting the service watchdog");
      this.notify({ STATUS: `unhealthy: ${problem}` });
    }
    this.lastProblem = problem;
  }

  private notify(fields: Record<string, string>): void {
    try {
      this.options.manager.notify(fields);
    } catch (error) {
      this.options.logger.warn({ err: error }, "telling the service manager failed");
    }
  }
}

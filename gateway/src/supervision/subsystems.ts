import {
  Supervisor,
  type Lifecycle,
  type RestartPolicy,
  type SupervisedState,
  type SupervisorOptions,
} from "@intelledger/service-kit";
import type { Logger } from "pino";
import type { GatewayConfig } from "../config.js";

/** One subsystem as status, metrics and the live stream show it. */
export type SubsystemStatus = { name: string; restarts: number } & SupervisedState;

/** How a subsystem starts, stops, is probed and reports itself. */
type SubsystemOptions<Part> = Pick<SupervisorOptions<Part>, "start" | "stop" | "probe"> & {
  policy?: Partial<RestartPolicy>;
  report?: (part: Part) => SupervisedState | undefined;
};

interface Entry {
  supervisor: Supervisor<unknown>;
  /** How a part that restarts itself (the uplink's sessions) says where it is, while it runs. */
  report: (() => SupervisedState | undefined) | undefined;
}

/** The restart policy the configuration sets. */
export function restartPolicyOf(config: GatewayConfig["supervision"]): RestartPolicy {
  const { initialDelayMs, maxDelayMs, maxAttempts, stableAfterMs, degradedRetryMs, probeIntervalMs } = config;
  return { initialDelayMs, maxDelayMs, maxAttempts, stableAfterMs, degradedRetryMs, probeIntervalMs };
}

/**
 * The gateway's supervised subsystems (each transport, inference, the provers, the uplink,
 * Node-RED, the live stream), each restarted on its own when it fails, and their states in
 * the order they started.
 */
export class Subsystems {
  private readonly entries: Entry[] = [];
  private readonly listeners = new Set<(status: SubsystemStatus) => void>();
  private readonly policy: RestartPolicy;
  private readonly logger: Logger;

  constructor(policy: RestartPolicy, logger: Logger) {
    this.policy = policy;
    this.logger = logger;
  }

  /**
   * Supervises a subsystem and starts it as one of the gateway's parts, which stop in reverse
   * order. Its failed first start fails the gateway's, unless it is `optional`: then it is
   * retried with backoff and left degraded, and the gateway runs without it meanwhile.
   */
  async start<Part>(
    parts: Lifecycle,
    name: string,
    options: SubsystemOptions<Part> & { optional?: boolean },
  ): Promise<Supervisor<Part>> {
    const supervisor = this.supervise(name, options);
    return parts.start(
      name,
      async () => {
        await (options.optional ? supervisor.startSupervised() : supervisor.start());
        return supervisor;
      },
      (started) => started.stop(),
    );
  }

  private supervise<Part>(name: string, options: SubsystemOptions<Part>): Supervisor<Part> {
    const supervisor = new Supervisor<Part>({
      name,
      start: options.start,
      stop: options.stop,
      ...(options.probe ? { probe: options.probe } : {}),
      policy: { ...this.policy, ...options.policy },
      logger: this.logger,
      onChange: ({ name: changed, restarts, current }) => {
        for (const listener of this.listeners) listener({ name: changed, restarts, ...current });
      },
    });
    const { report } = options;
    this.entries.push({
      supervisor: supervisor as Supervisor<unknown>,
      report: report && (() => (supervisor.current === undefined ? undefined : report(supervisor.current))),
    });
    return supervisor;
  }

  /**
   * Told each change a supervisor makes (started, failed, restarted, degraded) as it happens;
   * states a part reports of itself (the uplink's, Node-RED's) show in `list`.
   */
  onChange(listener: (status: SubsystemStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  list(): SubsystemStatus[] {
    return this.entries.map(({ supervisor, report }) => {
      const { name, restarts, current } = supervisor.status();
      const state = current.state === "running" ? (report?.() ?? current) : current;
      return { name, restarts, ...state };
    });
  }
}

import type { Logger } from "pino";

/**
 * Where a supervised part is: `off` when its configuration leaves it out; `restarting` after
 * a failure, until the next attempt (`attempt` counts failures in a row); `degraded` once
 * `maxAttempts` restarts in a row failed: the service runs without it, tries it again now and
 * then, and says why.
 */
export type SupervisedState =
  | { state: "starting" }
  | { state: "off" }
  | { state: "running"; sinceMs: number }
  | { state: "restarting"; attempt: number; reason: string; retryAtMs: number | undefined }
  | { state: "degraded"; attempts: number; reason: string; retryAtMs: number | undefined }
  | { state: "stopped" };

export type SupervisedStateName = SupervisedState["state"];

export const SUPERVISED_STATES: readonly SupervisedStateName[] = [
  "starting",
  "off",
  "running",
  "restarting",
  "degraded",
  "stopped",
];

export interface SupervisedStatus {
  name: string;
  /** Restarts after failures since the service started. */
  restarts: number;
  current: SupervisedState;
}

export interface RestartPolicy {
  /** Wait before the first restart; doubles with each failure in a row. */
  initialDelayMs: number;
  maxDelayMs: number;
  /** Failures in a row before the part is left degraded. */
  maxAttempts: number;
  /** A part that ran this long without failing starts its count of failures afresh. */
  stableAfterMs: number;
  /** How often a degraded part is tried again; undefined: only when asked (`restart`). */
  degradedRetryMs: number | undefined;
  /** How often `probe` is asked whether the running part is healthy. */
  probeIntervalMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  initialDelayMs: 1_000,
  maxDelayMs: 60_000,
  maxAttempts: 6,
  stableAfterMs: 300_000,
  degradedRetryMs: 600_000,
  probeIntervalMs: 5_000,
};

export interface SupervisorOptions<Part> {
  name: string;
  /**
   * Starts the part; `failed` is how the running part says it broke (later calls, or calls
   * from a part already replaced, are ignored). Undefined: the part is off.
   */
  start(failed: (error: unknown) => void): Promise<Part | undefined> | Part | undefined;
  stop(part: Part): Promise<void> | void;
  /** Why the running part is unhealthy though it did not say so (wedged), or undefined. */
  probe?: (part: Part) => string | undefined;
  policy?: Partial<RestartPolicy>;
  logger: Logger;
  onChange?: (status: SupervisedStatus) => void;
}

/** The error's message with those of its causes: "Node-RED did not start: listen EADDRINUSE …". */
function messageOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause === undefined ? undefined : messageOf(error.cause);
  return cause === undefined || error.message.includes(cause) ? error.message : `${error.message}: ${cause}`;
}

/**
 * Runs one part of a service and restarts it with exponential backoff when it fails or its
 * probe finds it wedged, so one failing part does not take the service down. After
 * `maxAttempts` failures in a row it leaves the part degraded with the reason, and tries it
 * again every `degradedRetryMs`.
 */
export class Supervisor<Part> {
  readonly name: string;
  private readonly options: SupervisorOptions<Part>;
  private readonly policy: RestartPolicy;
  private state: SupervisedState = { state: "starting" };
  private part: Part | undefined;
  /** Which start the running part came from: failures reported by an earlier one are stale. */
  private generation = 0;
  private attempts = 0;
  private restarts = 0;
  private startedAtMs = 0;
  private timer: NodeJS.Timeout | undefined;
  private probeTimer: NodeJS.Timeout | undefined;
  /** Set while a stop, start or restart runs, so they never overlap. */
  private busy: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(options: SupervisorOptions<Part>) {
    this.name = options.name;
    this.options = options;
    this.policy = { ...DEFAULT_RESTART_POLICY, ...options.policy };
  }

  get current(): Part | undefined {
    return this.part;
  }

  status(): SupervisedStatus {
    return { name: this.name, restarts: this.restarts, current: this.state };
  }

  /** The first start: a failure is thrown (the service does not start with a part that never ran). */
  async start(): Promise<Part | undefined> {
    await this.serially(() => this.startPart(true));
    return this.part;
  }

  /**
   * The first start of a part the service can run without: a failure is supervised like a
   * later one (restarted with backoff, then degraded).
   */
  async startSupervised(): Promise<void> {
    await this.serially(() => this.startPart(false));
  }

  /**
   * Stops and starts the part now (its settings changed, or a person asked). A failure is
   * thrown and the part stays stopped, or with `supervised`, restarted later like any other.
   */
  async restart(options: { supervised?: boolean } = {}): Promise<Part | undefined> {
    await this.serially(async () => {
      this.cancelTimers();
      this.attempts = 0;
      await this.stopPart();
      await this.startPart(options.supervised !== true);
    });
    return this.part;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.serially(async () => {
      this.cancelTimers();
      await this.stopPart();
      this.set({ state: "stopped" });
    });
  }

  private async serially(step: () => Promise<void>): Promise<void> {
    const run = this.busy.then(step);
    this.busy = run.catch(() => undefined);
    await run;
  }

  /** `strict`: a failure is thrown instead of supervised. */
  private async startPart(strict: boolean): Promise<void> {
    if (this.stopped) return;
    const generation = ++this.generation;
    const failed = (error: unknown) => {
      if (generation === this.generation && this.part !== undefined) this.fail(messageOf(error));
    };
    let part: Part | undefined;
    try {
      part = await this.options.start(failed);
    } catch (error) {
      if (!strict) {
        this.afterFailure(messageOf(error));
        return;
      }
      this.set({ state: "degraded", attempts: 1, reason: messageOf(error), retryAtMs: undefined });
      throw error;
    }
    if (this.stopped) {
      if (part !== undefined) await this.options.stop(part);
      return;
    }
    this.part = part;
    if (part === undefined) {
      this.set({ state: "off" });
      return;
    }
    this.startedAtMs = Date.now();
    this.set({ state: "running", sinceMs: this.startedAtMs });
    this.watch(part, generation);
  }

  private watch(part: Part, generation: number): void {
    const { probe } = this.options;
    if (!probe) return;
    this.probeTimer = setInterval(() => {
      if (generation !== this.generation) return;
      const reason = probe(part);
      if (reason !== undefined) this.fail(reason);
    }, this.policy.probeIntervalMs);
    this.probeTimer.unref();
  }

  /** The running part broke: stop it and restart it later. */
  private fail(reason: string): void {
    this.generation++;
    this.cancelTimers();
    if (Date.now() - this.startedAtMs >= this.policy.stableAfterMs) this.attempts = 0;
    this.options.logger.warn({ part: this.name, reason }, "a part failed; stopping it");
    void this.serially(async () => {
      await this.stopPart();
      this.afterFailure(reason);
    });
  }

  private afterFailure(reason: string): void {
    if (this.stopped) return;
    this.attempts++;
    const { initialDelayMs, maxDelayMs, maxAttempts, degradedRetryMs } = this.policy;
    if (this.attempts > maxAttempts) {
      const retryAtMs = degradedRetryMs === undefined ? undefined : Date.now() + degradedRetryMs;
      this.options.logger.error(
        { part: this.name, reason, attempts: this.attempts - 1 },
        "a part keeps failing; running without it",
      );
      this.set({ state: "degraded", attempts: this.attempts - 1, reason, retryAtMs });
      if (degradedRetryMs !== undefined) this.schedule(degradedRetryMs);
      return;
    }
    const delayMs = Math.min(maxDelayMs, initialDelayMs * 2 ** (this.attempts - 1));
    this.options.logger.warn({ part: this.name, reason, attempt: this.attempts, retryInMs: delayMs }, "restarting a part");
    this.set({ state: "restarting", attempt: this.attempts, reason, retryAtMs: Date.now() + delayMs });
    this.schedule(delayMs);
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.restarts++;
      this.set({ state: "starting" });
      void this.serially(() => this.startPart(false));
    }, delayMs);
  }

  private async stopPart(): Promise<void> {
    const part = this.part;
    this.part = undefined;
    if (part === undefined) return;
    try {
      await this.options.stop(part);
    } catch (error) {
      this.options.logger.error({ err: error, part: this.name }, "a part did not stop cleanly");
    }
  }

  private cancelTimers(): void {
    clearTimeout(this.timer);
    clearInterval(this.probeTimer);
    this.timer = undefined;
    this.probeTimer = undefined;
  }

  private set(state: SupervisedState): void {
    this.state = state;
    this.options.onChange?.(this.status());
  }
}

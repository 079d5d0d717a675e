import type { Logger } from "pino";
import { EdgeError } from "./edge-error.js";

export class PartStopError extends EdgeError {}

type Stop = () => Promise<void> | void;

/** A part that can be stopped and started again in its place, as when its settings change. */
export interface RestartablePart<Part> {
  /** Undefined while stopped (a restart whose start failed, or after the service stopped). */
  readonly current: Part | undefined;
  /** Stops the part and starts it again; if the start fails, the part stays stopped and the error is thrown. */
  restart(): Promise<Part>;
}

/**
 * Starts a service's parts in order and stops them in reverse. A part that fails to start
 * undoes every part started before it, so a failed start leaves no port open, no timer
 * running and no database locked.
 */
export class Lifecycle {
  private readonly stops: { name: string; stop: Stop }[] = [];
  private readonly logger: Logger;

  constructor(logger: Logger) {
    this.logger = logger;
  }

  /** Starts one part and registers how to stop it; returns what `start` made. */
  async start<Part>(name: string, start: () => Promise<Part> | Part, stop: (part: Part) => Promise<void> | void): Promise<Part> {
    const part = await start();
    this.stops.push({ name, stop: () => stop(part) });
    return part;
  }

  /**
   * Starts a part that can be restarted later in its place: it still stops in the order it
   * started. `start` is called again on each restart, so it reads whatever settings are
   * current then.
   */
  async startRestartable<Part>(
    name: string,
    start: () => Promise<Part> | Part,
    stop: (part: Part) => Promise<void> | void,
  ): Promise<RestartablePart<Part>> {
    let current: { part: Part } | undefined = { part: await start() };
    const logger = this.logger;
    this.stops.push({
      name,
      stop: async () => {
        const running = current;
        current = undefined;
        if (running) await stop(running.part);
      },
    });
    return {
      get current(): Part | undefined {
        return current?.part;
      },
      async restart(): Promise<Part> {
        const running = current;
        current = undefined;
        if (running) await stop(running.part);
        logger.info({ part: name }, "restarting a part");
        current = { part: await start() };
        return current.part;
      },
    };
  }

  /** Registers how to undo something already done (a timer set, a listener added). */
  onStop(name: string, stop: Stop): void {
    this.stops.push({ name, stop });
  }

  /**
   * Stops every part, last started first. A part that fails to stop is logged and the rest
   * still stop; then the first failure is thrown, naming the part.
   */
  async stop(): Promise<void> {
    let firstFailure: PartStopError | undefined;
    for (const { name, stop } of this.stops.splice(0).reverse()) {
      try {
        await stop();
      } catch (error) {
        this.logger.error({ err: error, part: name }, "a part did not stop cleanly");
        firstFailure ??= new PartStopError(`${name} did not stop cleanly`, { part: name }, { cause: error });
      }
    }
    if (firstFailure) throw firstFailure;
  }
}

/**
 * Runs `build` with a fresh lifecycle, which the service it makes stops with. If `build`
 * throws, what it had started is stopped before the error goes on.
 */
export async function startService<Service>(logger: Logger, build: (parts: Lifecycle) => Promise<Service>): Promise<Service> {
  const parts = new Lifecycle(logger);
  try {
    return await build(parts);
  } catch (error) {
    await parts.stop().catch((stopError: unknown) => logger.error({ err: stopError }, "undoing a failed start failed"));
    throw error;
  }
}

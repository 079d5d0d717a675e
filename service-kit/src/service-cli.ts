import { readFileSync } from "node:fs";
import type { Logger } from "pino";
import { EdgeError } from "./edge-error.js";

/** Exit statuses of the services' commands. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** A command line's way of refusing its arguments: the reason, then the usage. */
export function usageFailure(usage: string): (message: string) => never {
  return (message) => {
    console.error(`${message}\n\n${usage}`);
    process.exit(EXIT.usage);
  };
}

/** `parseArgs` options that each take a string, by name: most of a service command's options. */
export function stringOptions<const Name extends string>(...names: Name[]): Record<Name, { type: "string" }> {
  return Object.fromEntries(names.map((name) => [name, { type: "string" }])) as Record<Name, { type: "string" }>;
}

/** Reads a JSON file the user named; refuses with the path and the reason when it cannot. */
export function readJsonFile(path: string, fail: (message: string) => never): unknown {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    return fail(`cannot read ${path}: ${(error as Error).message}`);
  }
}

/**
 * Runs a command's body; an error the project raised on purpose ends the command with its
 * message and status 1, anything else is a bug and keeps its stack.
 */
export async function runCommand(body: () => Promise<void> | void): Promise<void> {
  try {
    await body();
  } catch (error) {
    if (!(error instanceof EdgeError)) throw error;
    console.error(`error: ${error.message}`);
    process.exit(EXIT.failed);
  }
}

export interface Stoppable {
  stop(): Promise<void>;
}

/**
 * Keeps a started service running until SIGINT or SIGTERM, then stops it. A stop that takes
 * longer than `stopTimeoutMs` (a wedged part) ends the process anyway, with status 1, so a
 * supervisor is never left waiting on it; a second signal does the same at once.
 */
export function stopOnSignals(service: Stoppable, logger: Logger, stopTimeoutMs = 30_000): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, "second signal while stopping; exiting now");
      process.exit(EXIT.failed);
    }
    stopping = true;
    logger.info({ signal }, "stopping");
    const deadline = setTimeout(() => {
      logger.error({ stopTimeoutMs }, "stopping took too long; exiting");
      process.exit(EXIT.failed);
    }, stopTimeoutMs);
    deadline.unref();
    service.stop().then(
      () => process.exit(EXIT.ok),
      (error: unknown) => {
        logger.error({ err: error }, "stopping failed");
        process.exit(EXIT.failed);
      },
    );
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

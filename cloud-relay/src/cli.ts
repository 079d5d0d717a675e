// The relay's command line: run it from a configuration file.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { pino } from "pino";
import { parseRelayConfig } from "./config.js";
import { RelayError } from "./errors.js";
import { startRelay } from "./relay.js";

const USAGE = `usage:
  relay start --config <file.json>
      Runs the relay until SIGINT or SIGTERM. The file holds the configuration
      (see cloud-relay/src/config.ts); logs go to stdout as JSON lines.`;

function fail(message: string): never {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(2);
}

const { positionals, values } = parseArgs({ allowPositionals: true, options: { config: { type: "string" } } });
if (positionals[0] !== "start") fail(positionals[0] === undefined ? "no command given" : `unknown command ${positionals[0]}`);
const configPath = values.config ?? fail("start needs --config");

let input: unknown;
try {
  input = JSON.parse(readFileSync(configPath, "utf8"));
} catch (error) {
  fail(`cannot read configuration ${configPath}: ${(error as Error).message}`);
}

const logger = pino();
try {
  const relay = await startRelay(parseRelayConfig(input), logger);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "stopping");
    relay.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, "stopping failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
} catch (error) {
  if (!(error instanceof RelayError)) throw error;
  console.error(`error: ${error.message}`);
  process.exit(1);
}

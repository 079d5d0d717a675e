// The relay's command line: run it from a configuration file.
import { parseArgs } from "node:util";
import { readJsonFile, runCommand, stopOnSignals, usageFailure } from "@intelledger/service-kit";
import { pino } from "pino";
import { parseRelayConfig } from "./config.js";
import { startRelay } from "./relay.js";

const USAGE = `usage:
  relay start --config <file.json>
      Runs the relay until SIGINT or SIGTERM. The file holds the configuration
      (see cloud-relay/src/config.ts); logs go to stdout as JSON lines.`;

const fail = usageFailure(USAGE);
const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { config: { type: "string" }, help: { type: "boolean", short: "h" } },
});
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
if (positionals[0] !== "start") fail(positionals[0] === undefined ? "no command given" : `unknown command ${positionals[0]}`);
const input = readJsonFile(values.config ?? fail("start needs --config"), fail);

await runCommand(async () => {
  const logger = pino();
  stopOnSignals(await startRelay(parseRelayConfig(input), logger), logger);
});

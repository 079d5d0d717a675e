// The relay's command line: run it from a configuration file, or issue a gateway's enrollment token.
import { parseArgs } from "node:util";
import { readJsonFile, runCommand, stopOnSignals, usageFailure } from "@intelledger/service-kit";
import { pino } from "pino";
import { parseRelayConfig } from "./config.js";
import { startRelay } from "./relay.js";
import { EnrollmentTokens } from "./enrollment/enrollment-tokens.js";
import { enrollmentTokensPath, inviteGateway } from "./enrollment/start-enrollment.js";

const USAGE = `usage:
  relay start --config <file.json>
      Runs the relay until SIGINT or SIGTERM. The file holds the configuration
      (see cloud-relay/src/config.ts); logs go to stdout as JSON lines.
  relay enrollment-token --config <file.json>
      Prints a one-time enrollment token for a gateway, with the relay CA's fingerprint
      and the enrollment port (the configuration's "enrollment" section must be set).
      Works whether the relay is running or not.`;

const fail = usageFailure(USAGE);
const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { config: { type: "string" }, help: { type: "boolean", short: "h" } },
});
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const [command] = positionals;
if (command !== "start" && command !== "enrollment-token") {
  fail(command === undefined ? "no command given" : `unknown command ${command}`);
}
const input = readJsonFile(values.config ?? fail(`${command} needs --config`), fail);

await runCommand(async () => {
  const config = parseRelayConfig(input);
  if (command === "enrollment-token") {
    const enrollment = config.enrollment ?? fail("the configuration has no enrollment section");
    const tokens = new EnrollmentTokens(enrollmentTokensPath(config.dataDir));
    try {
      console.log(JSON.stringify(inviteGateway(tokens, enrollment, config.tls.caCertFile), null, 2));
    } finally {
      tokens.close();
    }
    return;
  }
  const logger = pino();
  stopOnSignals(await startRelay(config, logger), logger);
});

// The relay's command line: run it from a configuration file, issue a gateway's enrollment
// token, or look at the fleet and the anchors in its database.
import { parseArgs } from "node:util";
import { readJsonFile, runCommand, stopOnSignals, usageFailure } from "@intelledger/service-kit";
import { pino } from "pino";
import { parseRelayConfig } from "./config.js";
import { startRelay } from "./relay.js";
import { EnrollmentTokens } from "./enrollment/enrollment-tokens.js";
import { enrollmentTokensPath, inviteGateway } from "./enrollment/start-enrollment.js";
import { anchorStatus, listGateways, showGateway } from "./ops-commands.js";
import { openRelayStore } from "./store/relay-store.js";

const USAGE = `usage:
  relay start --config <file.json>
      Runs the relay until SIGINT or SIGTERM. The file holds the configuration
      (see cloud-relay/src/config.ts); logs go to stdout as JSON lines.
  relay enrollment-token --config <file.json>
      Prints a one-time enrollment token for a gateway, with the relay CA's fingerprint
      and the enrollment port (the configuration's "enrollment" section must be set).
      Works whether the relay is running or not.
  relay gateways list --config <file.json>
  relay gateways show <gateway address> --config <file.json>
      Prints the fleet as JSON: each gateway's state (online, lagging, offline), when it was
      last seen and from where, its last batch, the backlog it reported, its unanchored batches.
  relay anchors --config <file.json> [--latest <n>]
      Prints who anchors (leadership term, replica, since when), what waits to be anchored,
      and the latest anchors with their transactions (10 unless --latest says otherwise).
  The last three read the relay's database (SQLite or PostgreSQL, as configured) and work
  whether any replica is running or not.`;

const fail = usageFailure(USAGE);
const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { config: { type: "string" }, latest: { type: "string" }, help: { type: "boolean", short: "h" } },
});
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const [command, subcommand, gatewayArgument] = positionals;
if (command !== "start" && command !== "enrollment-token" && command !== "gateways" && command !== "anchors") {
  fail(command === undefined ? "no command given" : `unknown command ${command}`);
}
if (command === "gateways" && subcommand !== "list" && subcommand !== "show") fail("gateways needs list or show");
if (subcommand === "show" && !/^0x[0-9a-fA-F]{40}$/.test(gatewayArgument ?? ""))
  fail("gateways show needs a gateway address (0x…)");
const latest = Number(values.latest ?? 10);
if (!Number.isInteger(latest) || latest < 1) fail("--latest must be a whole number of anchors, 1 or more");
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
  if (command === "gateways" || command === "anchors") {
    const store = await openRelayStore(config);
    try {
      const nowMs = Date.now();
      const shown =
        command === "anchors"
          ? await anchorStatus(store, latest)
          : subcommand === "show"
            ? await showGateway(store, gatewayArgument as string, nowMs)
            : await listGateways(store, nowMs);
      if (shown === undefined) fail(`the relay knows no gateway ${gatewayArgument}`);
      console.log(JSON.stringify(shown, null, 2));
    } finally {
      await store.close();
    }
    return;
  }
  const logger = pino();
  stopOnSignals(await startRelay(config, logger), logger);
});

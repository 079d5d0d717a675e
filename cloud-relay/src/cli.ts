// The relay's command line: run it from a configuration file, and operate a running fleet
// through the admin HTTP API (or read the fleet and the anchors from the database directly).
import { parseArgs } from "node:util";
import { readJsonFile, runCommand, stopOnSignals, stringOptions, usageFailure } from "@intelledger/service-kit";
import { pino } from "pino";
import { adminApiTarget, callAdminApi } from "./admin-api-client.js";
import { apiRequestOf } from "./cli-api-requests.js";
import { parseRelayConfig, type RelayConfig } from "./config.js";
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
      Prints a one-time enrollment token for a gateway from the relay's own files (the
      configuration's "enrollment" section must be set), whether the relay runs or not.

  Operations on a running relay, over its admin HTTP API. Which relay: --api <http://host:port>,
  or the api section of --config <file.json>. The bearer token: --token-file <file>, or
  RELAY_API_TOKEN, or the configuration's api.tokenFile (default <dataDir>/api.token).
  Each prints the API's JSON answer; a refusal prints the API's error and exits with status 1.
  relay enroll-token
      A one-time enrollment token for a gateway, with the CA fingerprint and enrollment port.
  relay gateways list
  relay gateways show <gateway>
      The fleet: each gateway's state (online, lagging, offline), first and last seen, address,
      software version, clock offset, backlog, unanchored batches, proof lag, revocation,
      allowlist and rate limit. With --config and no --api, read from the database instead
      (works whether any replica is running or not).
  relay gateways revoke <gateway> [--reason <text>]
      Refuses the gateway's certificate on every replica from its next call.
  relay gateways reinstate <gateway>
  relay gateways access <gateway> [--allow <cidr>,<cidr>…|any] [--rate <batches/s> --burst <n>|--rate default]
      Where the gateway may call from, and its own upload rate limit.
  relay batches <gateway> [--limit <n>] [--before <sequence>]
      The gateway's batches, newest first (50 unless --limit says otherwise), with their state
      (stored, anchoring, anchored), proof and anchoring transaction.
  relay anchors [status] [--latest <n>]
      Who anchors (leadership term, replica, since when), what waits to be anchored, and the
      latest anchors (10 unless --latest says otherwise). With --config and no --api, read
      from the database instead.
  relay anchors retry
      Replaces every sent anchoring transaction not mined yet (same nonce, higher fees) at the
      leader's next check, instead of after chain.replaceAfterMs.
  relay receipt <gateway> <gateway_seq>
      The receipt of one reading (verify it with the verify command).`;

const fail = usageFailure(USAGE);
const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    ...stringOptions("config", "api", "token-file", "latest", "limit", "before", "reason", "allow", "rate", "burst"),
    help: { type: "boolean", short: "h" },
  },
});
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const [command, subcommand, gatewayArgument] = positionals;
if (command === undefined) fail("no command given");
const latest = Number(values.latest ?? 10);
if (!Number.isInteger(latest) || latest < 1) fail("--latest must be a whole number of anchors, 1 or more");
const config = values.config === undefined ? undefined : readJsonFile(values.config, fail);

/** `gateways list|show` and `anchors [status]` read the database when given a configuration and no API. */
const readsDatabase =
  values.api === undefined &&
  config !== undefined &&
  ((command === "gateways" && (subcommand === "list" || subcommand === "show")) ||
    (command === "anchors" && (subcommand === undefined || subcommand === "status")));

async function fromDatabase(relayConfig: RelayConfig): Promise<unknown> {
  if (subcommand === "show" && !/^0x[0-9a-fA-F]{40}$/.test(gatewayArgument ?? ""))
    fail("gateways show needs a gateway address (0x…)");
  const store = await openRelayStore(relayConfig);
  try {
    const nowMs = Date.now();
    if (command === "anchors") return await anchorStatus(store, latest);
    if (subcommand === "list") return await listGateways(store, nowMs);
    return (await showGateway(store, gatewayArgument as string, nowMs)) ?? fail(`the relay knows no gateway ${gatewayArgument}`);
  } finally {
    await store.close();
  }
}

await runCommand(async () => {
  const relayConfig = config === undefined ? undefined : parseRelayConfig(config);
  if (command === "start" || command === "enrollment-token") {
    const local = relayConfig ?? fail(`${command} needs --config`);
    if (command === "start") {
      const logger = pino();
      stopOnSignals(await startRelay(local, logger), logger);
      return;
    }
    const enrollment = local.enrollment ?? fail("the configuration has no enrollment section");
    const tokens = new EnrollmentTokens(enrollmentTokensPath(local.dataDir));
    try {
      console.log(JSON.stringify(inviteGateway(tokens, enrollment, local.tls.caCertFile), null, 2));
    } finally {
      tokens.close();
    }
    return;
  }
  if (readsDatabase && relayConfig) {
    console.log(JSON.stringify(await fromDatabase(relayConfig), null, 2));
    return;
  }
  const request =
    apiRequestOf(positionals, {
      latest,
      limit: values.limit,
      before: values.before,
      reason: values.reason,
      allow: values.allow,
      rate: values.rate,
      burst: values.burst,
    }) ?? fail(`unknown command ${positionals.slice(0, 2).join(" ")}`);
  const target = adminApiTarget({ api: values.api, tokenFile: values["token-file"], config: relayConfig, env: process.env });
  console.log(JSON.stringify(await callAdminApi(target, request.method, request.path, request.body), null, 2));
});

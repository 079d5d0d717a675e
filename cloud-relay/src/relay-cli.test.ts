// The `relay` command as operators run it: a process of its own against a running relay's
// admin HTTP API, with the bearer token from the environment or from the relay's
// configuration file, every operation once, and its refusals.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Wallet } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { documentedBatchHash, ProtoRelayClient, signedWireBatch, wireReadings } from "../test/proto-relay-client.js";
import { RELAY_CLI_TIMEOUT_MS, runRelayCli, type RelayCliRun } from "../test/relay-cli-process.js";
import { createRelayFixture, type RelayFixture } from "../test/relay-fixture.js";
import type { Relay } from "./relay.js";

let fixture: RelayFixture;
let relay: Relay;
let token: string;
/** A configuration naming the running relay's API port, for the command to find the relay and its token. */
let configPath: string;

/** Runs `relay <args>` as a process; with `env` its RELAY_API_TOKEN, with `--api` set to the running relay unless `viaConfig`. */
function relayCli(args: string[], options: { env?: NodeJS.ProcessEnv; viaConfig?: boolean } = {}): Promise<RelayCliRun> {
  const target = options.viaConfig ? ["--config", configPath] : ["--api", `http://127.0.0.1:${relay.apiPort}`];
  return runRelayCli([...args, ...target], { RELAY_API_TOKEN: token, ...options.env });
}

async function relayJson(args: string[], options?: Parameters<typeof relayCli>[1]): Promise<Record<string, unknown>> {
  const run = await relayCli(args, options);
  expect(run, run.stderr).toMatchObject({ code: 0 });
  return JSON.parse(run.stdout) as Record<string, unknown>;
}

let gatewayId: string;

beforeAll(async () => {
  fixture = await createRelayFixture();
  const enrollment = { host: "127.0.0.1", port: 0, caKeyFile: fixture.caKeyFile };
  relay = await fixture.startRelay({ enrollment });
  token = readFileSync(join(fixture.dir, "relay", "api.token"), "utf8").trim();
  configPath = join(fixture.dir, "cli-config.json");
  writeFileSync(configPath, JSON.stringify({ ...fixture.config({ enrollment }), api: { host: "0.0.0.0", port: relay.apiPort } }));

  // One gateway with two batches of three readings.
  const signer = new Wallet(Wallet.createRandom().privateKey);
  gatewayId = signer.address;
  const client = new ProtoRelayClient(`127.0.0.1:${relay.port}`, await fixture.gatewayTls(signer.address));
  await client.register(signer);
  const first = await signedWireBatch(signer, {
    sequence: 1,
    previousBatchHash: new Uint8Array(32),
    readings: wireReadings([1, 2, 3]),
  });
  const second = await signedWireBatch(signer, {
    sequence: 2,
    previousBatchHash: documentedBatchHash(first.batch),
    readings: wireReadings([4, 5, 6]),
  });
  const stream = client.openUpload();
  stream.sendBatch(first);
  stream.sendBatch(second);
  await stream.next((answer) => answer.message === "ack" && answer.ack?.sequence === 2);
  stream.end();
  await stream.ended;
  client.close();
}, 180_000);

afterAll(() => fixture?.close());

describe("the relay command over the admin API", () => {
  it(
    "issues an enrollment token, finding the relay and its token from the configuration file",
    async () => {
      const invitation = await relayJson(["enroll-token"], { viaConfig: true, env: { RELAY_API_TOKEN: "" } });
      expect(invitation).toMatchObject({ token: expect.any(String) as string, relayCaFingerprint: expect.any(String) as string });
    },
    RELAY_CLI_TIMEOUT_MS,
  );

  it(
    "lists and shows the fleet, and a gateway's batches with their state, newest first",
    async () => {
      const [list, shown, batches, page] = await Promise.all([
        relayJson(["gateways", "list"]),
        relayJson(["gateways", "show", gatewayId.toLowerCase()]),
        relayJson(["batches", gatewayId]),
        relayJson(["batches", gatewayId, "--limit", "1", "--before", "2"]),
      ]);
      expect((list.gateways as { gatewayId: string }[]).map((gateway) => gateway.gatewayId)).toContain(gatewayId);
      expect(shown).toMatchObject({ gatewayId, lastSequence: 2, softwareVersion: expect.any(String) as string });
      expect((batches.batches as { sequence: number }[]).map((batch) => batch.sequence)).toEqual([2, 1]);
      expect(page.batches).toEqual([expect.objectContaining({ sequence: 1, readingCount: 3 })]);
    },
    RELAY_CLI_TIMEOUT_MS,
  );

  it(
    "revokes a gateway, sets its allowlist and rate limit, and reinstates it",
    async () => {
      expect(await relayJson(["gateways", "revoke", gatewayId, "--reason", "decommissioned"])).toMatchObject({
        gatewayId,
        revokedReason: "decommissioned",
      });
      expect(
        await relayJson(["gateways", "access", gatewayId, "--allow", "10.0.0.0/8,127.0.0.1", "--rate", "2.5", "--burst", "10"]),
      ).toMatchObject({ allowedCidrs: ["10.0.0.0/8", "127.0.0.1"], rateLimit: { batchesPerSecond: 2.5, burst: 10 } });
      const reinstated = await relayJson(["gateways", "reinstate", gatewayId]);
      expect(reinstated.revokedAtMs).toBeUndefined();
      const lifted = await relayJson(["gateways", "access", gatewayId, "--allow", "any", "--rate", "default"]);
      expect(lifted).toMatchObject({ gatewayId });
      expect(lifted.allowedCidrs).toBeUndefined();
      expect(lifted.rateLimit).toBeUndefined();
    },
    2 * RELAY_CLI_TIMEOUT_MS,
  );

  it(
    "shows the anchors, and prints a reading's receipt once its batch is anchored",
    async () => {
      const deadline = Date.now() + 60_000;
      while ((await relay.batches.anchorOf(gatewayId, 2)) === undefined || (await relay.anchors.totals()).unanchoredBatches > 0) {
        if (Date.now() > deadline) throw new Error("the batches were never anchored");
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      let receipt: RelayCliRun;
      do {
        receipt = await relayCli(["receipt", gatewayId, "5"]);
      } while (receipt.code !== 0 && receipt.stderr.includes("not anchored yet") && Date.now() < deadline);
      expect(receipt.code, receipt.stderr).toBe(0);
      expect(JSON.parse(receipt.stdout)).toMatchObject({ reading: expect.objectContaining({ gatewaySeq: 5 }) as object });
      const anchors = await relayJson(["anchors", "status", "--latest", "1"]);
      expect(anchors).toMatchObject({ leader: { term: expect.any(Number) as number } });
      expect(anchors.latest).toHaveLength(1);
    },
    3 * RELAY_CLI_TIMEOUT_MS,
  );

  it(
    "says why when the API refuses: nothing to retry, an unknown gateway, a wrong token, a bad argument",
    async () => {
      const [retry, unknown, wrongToken, badCidr, badRate] = await Promise.all([
        relayCli(["anchors", "retry"]),
        relayCli(["batches", Wallet.createRandom().address]),
        relayCli(["gateways", "list"], { env: { RELAY_API_TOKEN: "wrong" } }),
        relayCli(["gateways", "access", gatewayId, "--allow", "10.0.0/8"]),
        relayCli(["gateways", "access", gatewayId, "--rate", "3"]),
      ]);
      expect(retry).toMatchObject({ code: 1 });
      expect(retry.stderr).toContain("no anchoring transaction waits to be mined");
      expect(unknown).toMatchObject({ code: 1 });
      expect(unknown.stderr).toContain("the relay knows no gateway");
      expect(wrongToken).toMatchObject({ code: 1 });
      expect(wrongToken.stderr).toContain("refused the API token (401)");
      expect(badCidr).toMatchObject({ code: 1 });
      expect(badCidr.stderr).toContain('"10.0.0/8" is not a CIDR block');
      expect(badRate).toMatchObject({ code: 1 });
      expect(badRate.stderr).toContain("--rate needs --burst");
    },
    RELAY_CLI_TIMEOUT_MS,
  );
});

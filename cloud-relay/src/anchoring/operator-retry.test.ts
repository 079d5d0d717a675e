// An operator's `relay anchors retry` against a running relay whose anchoring transaction the
// chain leaves unmined (its automining off): the command names the waiting transaction, the
// relay replaces it at once (same nonce, higher fees) rather than after chain.replaceAfterMs,
// and once blocks are mined again the root is anchored exactly once, by the replacement.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { dataAnchorAbi } from "@intelledger/contracts";
import { Contract, JsonRpcProvider, Wallet, type EventLog } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ProtoRelayClient, signedWireBatch, wireReadings } from "../../test/proto-relay-client.js";
import { RELAY_CLI_TIMEOUT_MS, runRelayCli, type RelayCliRun } from "../../test/relay-cli-process.js";
import { createRelayFixture, type RelayFixture } from "../../test/relay-fixture.js";
import type { AnchoringStatus } from "../ops-commands.js";
import type { Relay } from "../relay.js";

const READINGS = 5;
/** Far beyond the test's length: only the operator's retry can make the relay replace its transaction. */
const REPLACE_AFTER_MS = 600_000;

type ListedAnchor = AnchoringStatus["latest"][number];

/** A pending transaction as eth_getTransactionByHash gives it. */
interface ChainTransaction {
  hash: string;
  nonce: string;
  blockNumber: string | null;
  maxFeePerGas: string;
  maxPriorityFeePerGas: string;
}

let fixture: RelayFixture;
let relay: Relay;
let chain: JsonRpcProvider;
let token: string;

function relayCli(args: string[]): Promise<RelayCliRun> {
  return runRelayCli([...args, "--api", `http://127.0.0.1:${relay.apiPort}`], { RELAY_API_TOKEN: token });
}

async function anchorsStatus(): Promise<AnchoringStatus> {
  const response = await fetch(`http://127.0.0.1:${relay.apiPort}/v1/anchors?latest=10`, {
    headers: { authorization: `Bearer ${token}` },
  });
  expect(response.status).toBe(200);
  return (await response.json()) as AnchoringStatus;
}

/** Asks the relay's anchors status until `accept` picks an anchor out of it. */
async function anchorWhen(accept: (anchor: ListedAnchor) => boolean, what: string): Promise<ListedAnchor> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const found = (await anchorsStatus()).latest.find(accept);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no anchor ${what}: ${JSON.stringify(await anchorsStatus())}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function transaction(hash: string): Promise<ChainTransaction | null> {
  return chain.send("eth_getTransactionByHash", [hash]) as Promise<ChainTransaction | null>;
}

beforeAll(async () => {
  fixture = await createRelayFixture();
  const base = fixture.config();
  relay = await fixture.startRelay({ chain: { ...base.chain, replaceAfterMs: REPLACE_AFTER_MS, receiptPollMs: 100 } });
  token = readFileSync(join(base.dataDir, "api.token"), "utf8").trim();
  chain = new JsonRpcProvider(fixture.chain.rpcUrl, undefined, { staticNetwork: true, cacheTimeout: -1 });
}, 180_000);

afterAll(async () => {
  chain?.destroy();
  await fixture?.close();
});

describe("an operator's retry of a stuck anchoring transaction", () => {
  it(
    "replaces the unmined transaction at once, and the root is anchored exactly once by the replacement",
    async () => {
      await chain.send("evm_setAutomine", [false]);
      const signer = new Wallet(Wallet.createRandom().privateKey);
      const client = new ProtoRelayClient(`127.0.0.1:${relay.port}`, await fixture.gatewayTls(signer.address));
      await client.register(signer);
      const stream = client.openUpload();
      stream.sendBatch(
        await signedWireBatch(signer, {
          sequence: 1,
          previousBatchHash: new Uint8Array(32),
          readings: wireReadings(Array.from({ length: READINGS }, (_, index) => index + 1)),
        }),
      );
      await stream.next((answer) => answer.message === "ack" && answer.ack?.sequence === 1);
      stream.end();
      await stream.ended;
      client.close();

      const stuck = await anchorWhen((anchor) => anchor.status === "submitted" && anchor.txHash !== undefined, "sent");
      const stuckTx = await transaction(stuck.txHash as string);
      expect(stuckTx).toMatchObject({ hash: stuck.txHash, blockNumber: null });

      const retry = await relayCli(["anchors", "retry"]);
      expect(retry, retry.stderr).toMatchObject({ code: 0 });
      expect(JSON.parse(retry.stdout)).toEqual({ retried: [{ id: stuck.id, txHash: stuck.txHash, txNonce: stuck.txNonce }] });

      const replaced = await anchorWhen((anchor) => anchor.id === stuck.id && anchor.txHash !== stuck.txHash, "replaced");
      expect(replaced).toMatchObject({ status: "submitted", txNonce: stuck.txNonce, root: stuck.root });
      const replacementTx = await transaction(replaced.txHash as string);
      expect(replacementTx).toMatchObject({ nonce: stuckTx?.nonce, blockNumber: null });
      expect(BigInt(replacementTx?.maxFeePerGas ?? 0)).toBeGreaterThan(BigInt(stuckTx?.maxFeePerGas ?? 0));
      expect(BigInt(replacementTx?.maxPriorityFeePerGas ?? 0)).toBeGreaterThan(BigInt(stuckTx?.maxPriorityFeePerGas ?? 0));
      // The chain's pool holds the replacement in the place of the stuck transaction.
      expect(await transaction(stuck.txHash as string)).toBeNull();

      await chain.send("evm_mine", []);
      await chain.send("evm_setAutomine", [true]);
      const confirmed = await anchorWhen((anchor) => anchor.id === stuck.id && anchor.status === "confirmed", "confirmed");
      expect(confirmed.txHash).toBe(replaced.txHash);
      expect(await chain.getTransactionReceipt(stuck.txHash as string)).toBeNull();
      expect(await chain.getTransactionReceipt(replaced.txHash as string)).toMatchObject({ status: 1 });

      const dataAnchor = new Contract(fixture.config().chain.anchorContract, dataAnchorAbi, chain);
      const events = (await dataAnchor.queryFilter(dataAnchor.getEvent("RootAnchored"))) as EventLog[];
      expect(events.map((event) => [String(event.args[0]).toLowerCase(), event.transactionHash])).toEqual([
        [stuck.root, replaced.txHash],
      ]);
      expect(await anchorsStatus()).toMatchObject({ confirmed: 1, readingsAnchored: READINGS, unanchoredBatches: 0 });
    },
    3 * RELAY_CLI_TIMEOUT_MS,
  );

  it(
    "refuses with nothing to retry once no transaction waits to be mined",
    async () => {
      const retry = await relayCli(["anchors", "retry"]);
      expect(retry.code).toBe(1);
      expect(retry.stderr).toContain("there is nothing to retry");
      expect(retry.stdout).toBe("");
    },
    RELAY_CLI_TIMEOUT_MS,
  );
});

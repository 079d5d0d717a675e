// Two relay replicas, each a process of its own, on one PostgreSQL database: a gateway's
// batches raced to both are stored once each and in order, and when the anchoring leader is
// killed the other replica takes the lead within seconds, settles what it inherited and
// anchors everything exactly once. EDGE_REPLICA_ROUNDS scales the batches raced.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";
import { join } from "node:path";
import { dataAnchorAbi } from "@intelledger/contracts";
import { freePort } from "@intelledger/test-support";
import { Contract, hexlify, JsonRpcProvider, Wallet, type EventLog } from "ethers";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  documentedBatchHash,
  ProtoRelayClient,
  signedWireBatch,
  wireReadings,
  type Refusal,
  type SignedWireBatch,
} from "../../cloud-relay/test/proto-relay-client.js";
import { createRelayFixture, type RelayFixture } from "../../cloud-relay/test/relay-fixture.js";
import { createThrowawayDatabase, type ThrowawayDatabase } from "../../cloud-relay/test/throwaway-postgres.js";
import { ChildService } from "./child-service.js";
import { writeConfig } from "./service-configs.js";
import { waitFor } from "./soak-helpers.js";

/** Batches raced to both replicas before and after the leader is killed. */
const ROUNDS = Number(process.env.EDGE_REPLICA_ROUNDS ?? 20);
/** How long the follower may take to lead after the leader's death. */
const TAKEOVER_LIMIT_MS = 10_000;

interface Replica {
  name: string;
  configPath: string;
  service: ChildService;
  address: string;
  apiPort: number;
  token: string;
}

let fixture: RelayFixture;
let database: ThrowawayDatabase;
let db: pg.Client;
const replicas: Replica[] = [];

async function startReplica(name: string): Promise<Replica> {
  const [port, apiPort] = [await freePort(), await freePort()];
  const dataDir = join(fixture.dir, name);
  const config = fixture.config({
    dataDir,
    listen: { host: "127.0.0.1", port },
    api: { port: apiPort },
    database: { url: database.url, poolSize: 4 },
    anchoring: { intervalMs: 300, leaderPollMs: 200 },
    upload: { hashThreads: 1 },
  });
  const configPath = writeConfig(join(fixture.dir, "config"), name, config);
  const service = new ChildService("relay", configPath, join(fixture.dir, `${name}.log`));
  // Generous: the machine running the suite may be busy with other tests.
  await service.start(180_000);
  const token = readFileSync(join(dataDir, "api.token"), "utf8").trim();
  return { name, configPath, service, address: `127.0.0.1:${port}`, apiPort, token };
}

/** Whether the replica says it anchors now (its intelledger_relay_anchoring_leader gauge). */
async function leads(replica: Replica): Promise<boolean> {
  const response = await fetch(`http://127.0.0.1:${replica.apiPort}/metrics`, {
    headers: { authorization: `Bearer ${replica.token}` },
  }).catch(() => undefined);
  if (!response?.ok) return false;
  return /^intelledger_relay_anchoring_leader 1$/m.test(await response.text());
}

type Outcome = { acked: true } | { acked: false; refusal: Refusal | undefined };

/** Sends one batch on a fresh stream and reports whether it was acknowledged or how it was refused. */
async function offer(client: ProtoRelayClient, batch: SignedWireBatch): Promise<Outcome> {
  const stream = client.openUpload();
  stream.sendBatch(batch);
  const outcome = await stream
    .next((answer) => answer.message === "ack")
    .then(
      (): Outcome => ({ acked: true }),
      async (): Promise<Outcome> => ({ acked: false, refusal: await stream.ended }),
    );
  stream.end();
  return outcome;
}

beforeAll(async () => {
  database = await createThrowawayDatabase();
  fixture = await createRelayFixture();
  db = new pg.Client(database.url);
  await db.connect();
  // One at a time: the first migrates the schema and takes the lead.
  replicas.push(await startReplica("replica-a"));
  await waitFor(() => leads(replicas[0] as Replica), 30_000, "replica-a to lead anchoring");
  replicas.push(await startReplica("replica-b"));
}, 240_000);

afterAll(async () => {
  for (const replica of replicas) {
    await replica.service.stop().catch(() => undefined);
    replica.service.close();
  }
  await db?.end();
  await fixture?.close();
  await database?.drop();
});

describe("relay replicas on one PostgreSQL", () => {
  const signer = new Wallet(Wallet.createRandom().privateKey);
  let previousBatchHash: Uint8Array = new Uint8Array(32);
  let sequence = 0;
  let clients: ProtoRelayClient[] = [];

  /** Races the gateway's next batch to every replica at once: each is acknowledged at least once and stored once. */
  async function raceRounds(rounds: number, to: readonly Replica[]): Promise<void> {
    for (let round = 0; round < rounds; round++) {
      sequence++;
      const batch = await signedWireBatch(signer, {
        sequence,
        previousBatchHash,
        readings: wireReadings([sequence * 2 - 1, sequence * 2]),
      });
      const outcomes = await Promise.all(
        to.map((replica) => offer(clients[replicas.indexOf(replica)] as ProtoRelayClient, batch)),
      );
      expect(outcomes.some((outcome) => outcome.acked)).toBe(true);
      for (const outcome of outcomes) {
        // The loser of a race is told to register again; it never stores a second copy.
        if (!outcome.acked) expect(outcome.refusal?.metadata["x-detail-reason"]).toBe("stored_concurrently");
      }
      previousBatchHash = documentedBatchHash(batch.batch);
    }
  }

  async function storedChain(): Promise<{ sequence: number; batch_hash: Buffer; previous_batch_hash: Buffer }[]> {
    const { rows } = await db.query<{ sequence: string; batch_hash: Buffer; previous_batch_hash: Buffer }>(
      "SELECT sequence, batch_hash, previous_batch_hash FROM batches WHERE gateway_id = $1 ORDER BY sequence",
      [signer.address],
    );
    return rows.map((row) => ({ ...row, sequence: Number(row.sequence) }));
  }

  async function confirmedAnchors(): Promise<number> {
    const { rows } = await db.query<{ n: string }>("SELECT count(*) AS n FROM anchors WHERE status = 'confirmed'");
    return Number(rows[0]?.n);
  }

  async function unanchored(): Promise<number> {
    const { rows } = await db.query<{ n: string }>(
      `SELECT count(*) AS n FROM batches b LEFT JOIN anchors a ON a.id = b.anchor_id
       WHERE b.anchor_id IS NULL OR a.status != 'confirmed'`,
    );
    return Number(rows[0]?.n);
  }

  it("stores a gateway's batches raced to both replicas once each, in one unbroken chain", async () => {
    const tls = await fixture.gatewayTls(signer.address);
    clients = replicas.map((replica) => new ProtoRelayClient(replica.address, tls));
    for (const client of clients) await client.register(signer);
    await raceRounds(ROUNDS, replicas);
    const chain = await storedChain();
    expect(chain.map((row) => row.sequence)).toEqual(Array.from({ length: ROUNDS }, (_, index) => index + 1));
    chain.forEach((row, index) => {
      if (index > 0) expect(row.previous_batch_hash).toEqual(chain[index - 1]?.batch_hash);
    });
    // Either replica answers where the chain stands.
    for (const client of clients) expect((await client.register(signer)).nextSequence).toBe(ROUNDS + 1);
  }, 180_000);

  it("hands anchoring to the other replica within seconds of the leader's death, and anchors every batch exactly once", async () => {
    const [leader, follower] = replicas as [Replica, Replica];
    expect(await leads(leader)).toBe(true);
    expect(await leads(follower)).toBe(false);
    // The first leader has anchored under its term before it dies.
    await waitFor(async () => (await confirmedAnchors()) > 0, 60_000, "the first leader's first anchor");
    // Batches keep coming in through the follower while the leader dies, and after the takeover,
    // so that the new leader anchors some under its own term however fast the first ones went.
    const afterTakeover = Math.max(1, Math.floor(ROUNDS / 2));
    const racing = raceRounds(ROUNDS - afterTakeover, [follower]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    await leader.service.stop("SIGKILL");
    const killedAt = Date.now();
    await waitFor(() => leads(follower), TAKEOVER_LIMIT_MS, "the follower to take the lead");
    const takeoverMs = Date.now() - killedAt;
    console.log(`anchoring takeover after the leader's SIGKILL: ${takeoverMs} ms`);
    await racing;
    await raceRounds(afterTakeover, [follower]);
    await waitFor(async () => (await unanchored()) === 0, 60_000, "every batch to be anchored and confirmed");

    // Every stored root on chain exactly once, in the transaction the relay recorded; later terms after the takeover.
    const { rows: anchors } = await db.query<{ root: Buffer; tx_hash: string; fencing_term: string; status: string }>(
      "SELECT root, tx_hash, fencing_term, status FROM anchors ORDER BY id",
    );
    const provider = new JsonRpcProvider(fixture.chain.rpcUrl, undefined, { staticNetwork: true });
    const [{ anchorContract }] = [fixture.config().chain];
    const contract = new Contract(anchorContract, dataAnchorAbi, provider);
    const events = (await contract.queryFilter(contract.getEvent("RootAnchored"))) as EventLog[];
    provider.destroy();
    const onChain = events.map((event) => String(event.args[0]).toLowerCase());
    expect(onChain.sort()).toEqual(anchors.map((anchor) => hexlify(anchor.root)).sort());
    const byRoot = new Map(events.map((event) => [String(event.args[0]).toLowerCase(), event.transactionHash]));
    for (const anchor of anchors) {
      expect(anchor.status).toBe("confirmed");
      expect(byRoot.get(hexlify(anchor.root))).toBe(anchor.tx_hash);
    }
    const terms = anchors.map((anchor) => Number(anchor.fencing_term));
    expect(Math.max(...terms)).toBeGreaterThan(Math.min(...terms));
    const { rows: batchRows } = await db.query<{ n: string }>("SELECT count(*) AS n FROM batches WHERE gateway_id = $1", [
      signer.address,
    ]);
    expect(Number(batchRows[0]?.n)).toBe(2 * ROUNDS);
    expect(takeoverMs).toBeLessThan(TAKEOVER_LIMIT_MS);
    // The gateway hears where its batches stand on chain from any replica's heartbeat answer.
    const beat = await (clients[replicas.indexOf(follower)] as ProtoRelayClient).heartbeat(signer.address, 0);
    const lastAnchored = beat.lastAnchored as { sequence: number; transactionHash: string };
    expect(lastAnchored.sequence).toBe(2 * ROUNDS);
    expect(anchors.map((anchor) => anchor.tx_hash)).toContain(lastAnchored.transactionHash);
    for (const client of clients) client.close();
  }, 240_000);

  it("shows operators the fleet and the anchors from the command line, with any replica down", async () => {
    const relayCli = async (...args: string[]) => {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ["--import", "tsx", "cloud-relay/src/cli.ts", ...args, "--config", (replicas[0] as Replica).configPath],
        { cwd: join(import.meta.dirname, "../..") },
      );
      return JSON.parse(stdout) as Record<string, unknown>;
    };
    expect(await relayCli("gateways", "show", signer.address)).toMatchObject({
      gatewayId: signer.address,
      state: "online",
      lastSequence: 2 * ROUNDS,
      unanchoredBatches: 0,
    });
    const anchors = await relayCli("anchors", "--latest", "2");
    expect(anchors).toMatchObject({ unanchoredBatches: 0, leader: { holder: expect.stringContaining(":") as string } });
    expect(anchors.latest).toHaveLength(2);
  }, 60_000);
});

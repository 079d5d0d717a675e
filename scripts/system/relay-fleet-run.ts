// A fleet of simulated gateways uploading at the reference rate to relay replicas on one
// PostgreSQL, while the anchoring leader is SIGKILLed and restarted: what `npm run
// bench:relay-fleet` prints and what the scaled-down test asserts. Each gateway (the
// relay's client written from the .proto, with its own certificate and key) seals a batch
// every readingsPerBatch / readingsPerSecond seconds and sends it when due, waiting for its
// ack; when its replica dies it moves to the next one, registers again and resumes where
// the relay's record stands, as a gateway behind a load balancer does. Batches are signed
// before the clock starts, so the relays alone use the machine while it runs.
import { hostname } from "node:os";
import { join } from "node:path";
import { dataAnchorAbi } from "@intelledger/contracts";
import { freePort } from "@intelledger/test-support";
import { Contract, hexlify, JsonRpcProvider, Wallet, type EventLog } from "ethers";
import pg from "pg";
import { percentile } from "../../gateway/bench/percentile.js";
import {
  documentedBatchHash,
  ProtoRelayClient,
  signedWireBatch,
  wireReadings,
  type SignedWireBatch,
} from "../../cloud-relay/test/proto-relay-client.js";
import type { RelayFixture, TlsFiles } from "../../cloud-relay/test/relay-fixture.js";
import { createThrowawayDatabase } from "../../cloud-relay/test/throwaway-postgres.js";
import { ChildService } from "./child-service.js";
import { writeConfig } from "./service-configs.js";
import { waitFor } from "./soak-helpers.js";

/** The design's reference gateway: 200 readings/s (50 sensors x 4 channels x 1 Hz). */
export const REFERENCE_READINGS_PER_SECOND = 200;
const MIB = 2 ** 20;

export interface FleetKnobs {
  gateways: number;
  replicas: number;
  seconds: number;
  /** SIGKILLs of the anchoring leader, spread evenly over the run (each restarted after its takeover). */
  kills: number;
  readingsPerBatch: number;
  /** Per gateway. */
  readingsPerSecond: number;
}

/** The knobs from EDGE_RELAY_FLEET_* in the environment, else `defaults`. */
export function fleetKnobs(defaults: Omit<FleetKnobs, "readingsPerSecond">): FleetKnobs {
  const knob = (name: string, fallback: number) => {
    const value = Number(process.env[`EDGE_RELAY_FLEET_${name}`] ?? fallback);
    if (!Number.isInteger(value) || value < 0) throw new Error(`EDGE_RELAY_FLEET_${name} must be a whole number, not ${value}`);
    return value;
  };
  return {
    gateways: knob("GATEWAYS", defaults.gateways),
    replicas: knob("REPLICAS", defaults.replicas),
    seconds: knob("SECONDS", defaults.seconds),
    kills: knob("KILLS", defaults.kills),
    readingsPerBatch: knob("READINGS_PER_BATCH", defaults.readingsPerBatch),
    readingsPerSecond: REFERENCE_READINGS_PER_SECOND,
  };
}

export interface FleetResult {
  knobs: FleetKnobs;
  signingSeconds: number;
  offeredReadingsPerSecond: number;
  storedReadingsPerSecond: number;
  replicas: { name: string; readingsPerSecond: number; peakRssMiB: number }[];
  ackP50Ms: number;
  ackP99Ms: number;
  takeoversMs: number[];
  ackedBatches: number;
  /** How far the slowest gateway finished behind its schedule. */
  behindScheduleSeconds: number;
  /** Every acknowledged batch stored once, in its gateway's unbroken chain, and in exactly one anchor on chain. */
  problems: string[];
}

interface SimulatedGateway {
  signer: Wallet;
  tls: TlsFiles;
  batches: SignedWireBatch[];
  acked: Set<number>;
}

interface Replica {
  name: string;
  service: ChildService;
  address: string;
  apiPort: number;
  peakRssBytes: number;
  ackedReadings: number;
}

async function signedChain(signer: Wallet, count: number, readingsPerBatch: number, startMs: number): Promise<SignedWireBatch[]> {
  const batches: SignedWireBatch[] = [];
  let previousBatchHash: Uint8Array = new Uint8Array(32);
  for (let sequence = 1; sequence <= count; sequence++) {
    const first = (sequence - 1) * readingsPerBatch + 1;
    const signed = await signedWireBatch(signer, {
      sequence,
      previousBatchHash,
      readings: wireReadings(
        Array.from({ length: readingsPerBatch }, (_, offset) => first + offset),
        startMs + sequence * 1_000,
      ),
    });
    batches.push(signed);
    previousBatchHash = documentedBatchHash(signed.batch);
  }
  return batches;
}

/** Whether the replica answers /readyz with 200: started fully, its verification threads loaded. */
async function ready(replica: Replica): Promise<boolean> {
  const response = await fetch(`http://127.0.0.1:${replica.apiPort}/readyz`).catch(() => undefined);
  return response?.status === 200;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

export async function runFleet(fixture: RelayFixture, knobs: FleetKnobs, log: (line: string) => void): Promise<FleetResult> {
  const intervalMs = (knobs.readingsPerBatch / knobs.readingsPerSecond) * 1_000;
  const batchesPerGateway = Math.ceil((knobs.seconds * 1_000) / intervalMs);
  const signingStarted = performance.now();
  const gateways: SimulatedGateway[] = [];
  for (let index = 0; index < knobs.gateways; index++) {
    const signer = new Wallet(Wallet.createRandom().privateKey);
    gateways.push({
      signer,
      tls: await fixture.gatewayTls(signer.address),
      batches: await signedChain(signer, batchesPerGateway, knobs.readingsPerBatch, Date.now()),
      acked: new Set(),
    });
  }
  const signingSeconds = (performance.now() - signingStarted) / 1_000;
  log(`signed ${knobs.gateways} x ${batchesPerGateway} batches in ${signingSeconds.toFixed(0)} s`);

  const database = await createThrowawayDatabase();
  const db = new pg.Client(database.url);
  const replicas: Replica[] = [];
  let stopSampling = false;
  try {
    for (let index = 0; index < knobs.replicas; index++) {
      const [port, apiPort] = [await freePort(), await freePort()];
      const name = `replica-${index + 1}`;
      const config = fixture.config({
        dataDir: join(fixture.dir, name),
        listen: { host: "127.0.0.1", port },
        api: { port: apiPort },
        database: { url: database.url, poolSize: 8 },
        anchoring: { intervalMs: 2_000, leaderPollMs: 250 },
        upload: { hashThreads: 1 },
      });
      const service = new ChildService(
        "relay",
        writeConfig(join(fixture.dir, "config"), name, config),
        join(fixture.dir, `${name}.log`),
      );
      replicas.push({ name, service, address: `127.0.0.1:${port}`, apiPort, peakRssBytes: 0, ackedReadings: 0 });
    }
    // Together: one of them migrates the schema, under an advisory lock, while the others wait.
    // The clock starts once all are ready (/readyz), as a load balancer would send them gateways.
    await Promise.all(replicas.map((replica) => replica.service.start(180_000)));
    await Promise.all(replicas.map((replica) => waitFor(() => ready(replica), 180_000, `${replica.name} to be ready`)));
    await db.connect();
    const leader = async () =>
      (await db.query<{ term: string; holder: string }>("SELECT term, holder FROM anchor_leadership WHERE id = 1")).rows[0];
    await waitFor(async () => Number((await leader())?.term) > 0, 60_000, "a replica to lead anchoring");

    const sampling = (async () => {
      while (!stopSampling) {
        for (const replica of replicas) {
          // A replica being killed may be gone between the check and the read.
          if (replica.service.running) {
            try {
              const peak = replica.service.peakRssBytes();
              if (Number.isFinite(peak)) replica.peakRssBytes = Math.max(replica.peakRssBytes, peak);
            } catch {
              continue;
            }
          }
        }
        await sleep(1_000);
      }
    })();

    const latencies: number[] = [];
    const startedAt = performance.now();
    let behindScheduleMs = 0;
    let switches = 0;
    const simulate = async (gateway: SimulatedGateway, index: number) => {
      let replicaIndex = index % replicas.length;
      let next = 0;
      while (next < gateway.batches.length) {
        const replica = replicas[replicaIndex] as Replica;
        const client = new ProtoRelayClient(replica.address, gateway.tls);
        try {
          next = Number((await client.register(gateway.signer)).nextSequence) - 1;
          const stream = client.openUpload();
          while (next < gateway.batches.length) {
            await sleep(startedAt + next * intervalMs - performance.now());
            const batch = gateway.batches[next] as SignedWireBatch;
            const sentAt = performance.now();
            stream.sendBatch(batch);
            const sequence = batch.batch.sequence;
            await stream.next((answer) => answer.message === "ack" && answer.ack?.sequence === sequence, 30_000);
            latencies.push(performance.now() - sentAt);
            stream.answers.splice(0);
            gateway.acked.add(sequence);
            replica.ackedReadings += knobs.readingsPerBatch;
            next++;
          }
          stream.end();
          await stream.ended;
        } catch (error) {
          // Its replica died or refused: on to the next one, as behind a load balancer.
          if (++switches <= 20) log(`gateway ${index + 1} leaves ${replica.name}: ${(error as Error).message}`);
          replicaIndex = (replicaIndex + 1) % replicas.length;
          await sleep(200);
        } finally {
          client.close();
        }
      }
      behindScheduleMs = Math.max(behindScheduleMs, performance.now() - (startedAt + (gateway.batches.length - 1) * intervalMs));
    };

    const takeoversMs: number[] = [];
    const killing = (async () => {
      for (let kill = 1; kill <= knobs.kills; kill++) {
        await sleep(startedAt + ((kill * knobs.seconds) / (knobs.kills + 1)) * 1_000 - performance.now());
        const before = await leader();
        const victim = replicas.find((replica) => `${hostname()}:${replica.service.pid}` === before?.holder);
        if (!victim) throw new Error(`no replica of this run holds the lead (${before?.holder})`);
        const killedAt = performance.now();
        await victim.service.stop("SIGKILL");
        await waitFor(async () => Number((await leader())?.term) > Number(before?.term), 60_000, "another replica to lead");
        takeoversMs.push(performance.now() - killedAt);
        log(`SIGKILLed the leader ${victim.name}; another replica led after ${(performance.now() - killedAt).toFixed(0)} ms`);
        await victim.service.start(180_000);
        await waitFor(() => ready(victim), 180_000, `${victim.name} to be ready again`);
      }
    })();

    await Promise.all(gateways.map(simulate));
    const seconds = (performance.now() - startedAt) / 1_000;
    await killing;
    stopSampling = true;
    await sampling;

    // Every batch anchored and confirmed, then checked against the database and the chain.
    await waitFor(
      async () =>
        Number(
          (
            await db.query<{ n: string }>(
              `SELECT count(*) AS n FROM batches b LEFT JOIN anchors a ON a.id = b.anchor_id
               WHERE b.anchor_id IS NULL OR a.status != 'confirmed'`,
            )
          ).rows[0]?.n,
        ) === 0,
      180_000,
      "every stored batch to be anchored and confirmed",
    );
    const problems = await checkStoredAndAnchored(db, fixture, gateways);
    const ackedBatches = gateways.reduce((sum, gateway) => sum + gateway.acked.size, 0);
    latencies.sort((a, b) => a - b);
    return {
      knobs,
      signingSeconds,
      offeredReadingsPerSecond: knobs.gateways * knobs.readingsPerSecond,
      storedReadingsPerSecond: (ackedBatches * knobs.readingsPerBatch) / seconds,
      replicas: replicas.map((replica) => ({
        name: replica.name,
        readingsPerSecond: replica.ackedReadings / seconds,
        peakRssMiB: replica.peakRssBytes / MIB,
      })),
      ackP50Ms: percentile(latencies, 50),
      ackP99Ms: percentile(latencies, 99),
      takeoversMs,
      ackedBatches,
      behindScheduleSeconds: behindScheduleMs / 1_000,
      problems,
    };
  } finally {
    stopSampling = true;
    for (const replica of replicas) {
      await replica.service.stop().catch(() => undefined);
      replica.service.close();
    }
    await db.end().catch(() => undefined);
    await database.drop();
  }
}

/** What is wrong with the stored and anchored record of the acknowledged batches (nothing, when all holds). */
async function checkStoredAndAnchored(
  db: pg.Client,
  fixture: RelayFixture,
  gateways: readonly SimulatedGateway[],
): Promise<string[]> {
  const problems: string[] = [];
  for (const gateway of gateways) {
    const { rows } = await db.query<{ sequence: string; batch_hash: Buffer; status: string | null }>(
      `SELECT b.sequence, b.batch_hash, a.status FROM batches b LEFT JOIN anchors a ON a.id = b.anchor_id
       WHERE b.gateway_id = $1 ORDER BY b.sequence`,
      [gateway.signer.address],
    );
    const stored = new Map(rows.map((row) => [Number(row.sequence), row]));
    if (stored.size !== rows.length) problems.push(`${gateway.signer.address}: a sequence stored twice`);
    if (rows.some((row, index) => Number(row.sequence) !== index + 1))
      problems.push(`${gateway.signer.address}: its chain has a hole`);
    if (rows.length !== gateway.batches.length) {
      problems.push(`${gateway.signer.address}: ${rows.length} of its ${gateway.batches.length} batches stored`);
    }
    for (const sequence of gateway.acked) {
      const row = stored.get(sequence);
      const sent = documentedBatchHash((gateway.batches[sequence - 1] as SignedWireBatch).batch);
      if (!row || !Buffer.from(sent).equals(row.batch_hash))
        problems.push(`${gateway.signer.address} #${sequence}: acked, not stored`);
      else if (row.status !== "confirmed") problems.push(`${gateway.signer.address} #${sequence}: stored, not anchored`);
    }
  }
  const { rows: anchors } = await db.query<{ root: Buffer; tx_hash: string }>("SELECT root, tx_hash FROM anchors ORDER BY id");
  const provider = new JsonRpcProvider(fixture.chain.rpcUrl, undefined, { staticNetwork: true });
  const contract = new Contract(fixture.config().chain.anchorContract, dataAnchorAbi, provider);
  const events = (await contract.queryFilter(contract.getEvent("RootAnchored"))) as EventLog[];
  provider.destroy();
  const onChain = new Map<string, string[]>();
  for (const event of events) {
    const root = String(event.args[0]).toLowerCase();
    onChain.set(root, [...(onChain.get(root) ?? []), event.transactionHash]);
  }
  for (const anchor of anchors) {
    const transactions = onChain.get(hexlify(anchor.root)) ?? [];
    if (transactions.length !== 1 || transactions[0] !== anchor.tx_hash) {
      problems.push(`anchor ${hexlify(anchor.root)}: on chain ${transactions.length} times, not once in ${anchor.tx_hash}`);
    }
  }
  if (events.length !== anchors.length) problems.push(`${events.length} roots on chain for ${anchors.length} anchors`);
  return problems;
}

/** The run as printed lines. */
export function describeFleet(result: FleetResult): string[] {
  const { knobs } = result;
  const sustained = result.behindScheduleSeconds < 5 + knobs.readingsPerBatch / knobs.readingsPerSecond;
  return [
    `${knobs.gateways} gateways at ${knobs.readingsPerSecond} readings/s each (${knobs.readingsPerBatch}-reading batches), ` +
      `${knobs.replicas} replicas on PostgreSQL, ${knobs.seconds} s, the anchoring leader SIGKILLed ${knobs.kills} times`,
    `offered ${result.offeredReadingsPerSecond.toFixed(0)} readings/s; stored and acked ${result.storedReadingsPerSecond.toFixed(0)} readings/s ` +
      `(${result.ackedBatches} batches); slowest gateway ${result.behindScheduleSeconds.toFixed(1)} s behind schedule: ` +
      (sustained ? "sustained" : "NOT sustained, fewer gateways would be"),
    `per replica: ${result.replicas
      .map(
        (replica) =>
          `${replica.name} ${replica.readingsPerSecond.toFixed(0)} readings/s, peak RSS ${replica.peakRssMiB.toFixed(0)} MiB`,
      )
      .join("; ")}`,
    `ack latency p50 ${result.ackP50Ms.toFixed(1)} ms, p99 ${result.ackP99Ms.toFixed(1)} ms`,
    `leader takeover after SIGKILL: ${result.takeoversMs.map((ms) => `${ms.toFixed(0)} ms`).join(", ") || "no kill"}`,
    result.problems.length === 0
      ? "every acknowledged batch stored once and anchored once"
      : `PROBLEMS:\n  ${result.problems.slice(0, 20).join("\n  ")}`,
  ];
}

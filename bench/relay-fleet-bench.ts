// What relay replicas on one PostgreSQL hold: simulated gateways (the project's documented
// gRPC client, each with its certificate) upload pre-signed batches to one replica, then to
// two, each gateway waiting for its ack before the next batch, as a gateway with a backlog
// does at its window's end. Printed per run: readings/s stored (in all and per replica), ack
// latency p50/p99, each replica's peak resident memory; and the two-replica rate as a ratio
// of the one-replica rate measured in the same run. Knobs: EDGE_RELAY_BENCH_GATEWAYS (20),
// EDGE_RELAY_BENCH_BATCHES per gateway (20), EDGE_RELAY_BENCH_READINGS per batch (100).
import { join } from "node:path";
import { freePort } from "@intelledger/test-support";
import { Wallet } from "ethers";
import {
  ProtoRelayClient,
  signedWireBatch,
  documentedBatchHash,
  wireReadings,
  type SignedWireBatch,
} from "../cloud-relay/test/proto-relay-client.js";
import { createRelayFixture, type RelayFixture } from "../cloud-relay/test/relay-fixture.js";
import { createThrowawayDatabase } from "../cloud-relay/test/throwaway-postgres.js";
import { ChildService } from "../scripts/system/child-service.js";
import { writeConfig } from "../scripts/system/service-configs.js";

const GATEWAYS = Number(process.env.EDGE_RELAY_BENCH_GATEWAYS ?? 20);
const BATCHES = Number(process.env.EDGE_RELAY_BENCH_BATCHES ?? 20);
const READINGS = Number(process.env.EDGE_RELAY_BENCH_READINGS ?? 100);
const MIB = 2 ** 20;

interface SimulatedGateway {
  signer: Wallet;
  tls: Awaited<ReturnType<RelayFixture["gatewayTls"]>>;
  batches: SignedWireBatch[];
}

interface RunResult {
  readingsPerSecond: number;
  perReplica: number[];
  p50Ms: number;
  p99Ms: number;
  peakRssMiB: number[];
}

function percentile(sorted: readonly number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? Number.NaN;
}

async function prepareGateways(fixture: RelayFixture): Promise<SimulatedGateway[]> {
  const gateways: SimulatedGateway[] = [];
  for (let index = 0; index < GATEWAYS; index++) {
    const signer = new Wallet(Wallet.createRandom().privateKey);
    const batches: SignedWireBatch[] = [];
    let previousBatchHash: Uint8Array = new Uint8Array(32);
    for (let sequence = 1; sequence <= BATCHES; sequence++) {
      const first = (sequence - 1) * READINGS + 1;
      const signed = await signedWireBatch(signer, {
        sequence,
        previousBatchHash,
        readings: wireReadings(Array.from({ length: READINGS }, (_, offset) => first + offset)),
      });
      batches.push(signed);
      previousBatchHash = documentedBatchHash(signed.batch);
    }
    gateways.push({ signer, tls: await fixture.gatewayTls(signer.address), batches });
  }
  return gateways;
}

/** One gateway's upload: every batch, each acked before the next; returns the ack latencies. */
async function upload(address: string, gateway: SimulatedGateway): Promise<number[]> {
  const client = new ProtoRelayClient(address, gateway.tls);
  await client.register(gateway.signer);
  const stream = client.openUpload();
  const latencies: number[] = [];
  for (const batch of gateway.batches) {
    const sentAt = performance.now();
    stream.sendBatch(batch);
    await stream.next((answer) => answer.message === "ack" && answer.ack?.sequence === batch.batch.sequence);
    latencies.push(performance.now() - sentAt);
  }
  stream.end();
  await stream.ended;
  client.close();
  return latencies;
}

async function run(fixture: RelayFixture, gateways: SimulatedGateway[], replicaCount: number): Promise<RunResult> {
  const database = await createThrowawayDatabase();
  const replicas: { service: ChildService; address: string }[] = [];
  try {
    for (let index = 0; index < replicaCount; index++) {
      const [port, apiPort] = [await freePort(), await freePort()];
      const name = `bench-${replicaCount}-${index}`;
      const config = fixture.config({
        dataDir: join(fixture.dir, name),
        listen: { host: "127.0.0.1", port },
        api: { port: apiPort },
        database: { url: database.url, poolSize: 8 },
        upload: { hashThreads: 1 },
      });
      const service = new ChildService(
        "relay",
        writeConfig(join(fixture.dir, "config"), name, config),
        join(fixture.dir, `${name}.log`),
      );
      await service.start(180_000);
      replicas.push({ service, address: `127.0.0.1:${port}` });
    }
    const startedAt = performance.now();
    const perGateway = await Promise.all(
      gateways.map((gateway, index) => upload((replicas[index % replicaCount] as (typeof replicas)[number]).address, gateway)),
    );
    const seconds = (performance.now() - startedAt) / 1_000;
    const latencies = perGateway.flat().sort((a, b) => a - b);
    const readingsPerReplica = replicas.map(
      (_, replica) => gateways.filter((_, index) => index % replicaCount === replica).length * BATCHES * READINGS,
    );
    return {
      readingsPerSecond: (GATEWAYS * BATCHES * READINGS) / seconds,
      perReplica: readingsPerReplica.map((readings) => readings / seconds),
      p50Ms: percentile(latencies, 0.5),
      p99Ms: percentile(latencies, 0.99),
      peakRssMiB: replicas.map((replica) => replica.service.peakRssBytes() / MIB),
    };
  } finally {
    for (const replica of replicas) {
      await replica.service.stop().catch(() => undefined);
      replica.service.close();
    }
    await database.drop();
  }
}

function describe(label: string, result: RunResult): string {
  return (
    `${label}: ${result.readingsPerSecond.toFixed(0)} readings/s stored ` +
    `(per replica ${result.perReplica.map((rate) => rate.toFixed(0)).join(", ")}), ` +
    `ack p50 ${result.p50Ms.toFixed(1)} ms, p99 ${result.p99Ms.toFixed(1)} ms, ` +
    `peak RSS ${result.peakRssMiB.map((rss) => `${rss.toFixed(0)} MiB`).join(", ")}`
  );
}

const fixture = await createRelayFixture();
try {
  console.log(`${GATEWAYS} gateways x ${BATCHES} batches x ${READINGS} readings, on PostgreSQL`);
  const gateways = await prepareGateways(fixture);
  const one = await run(fixture, gateways, 1);
  console.log(describe("1 replica ", one));
  const two = await run(fixture, gateways, 2);
  console.log(describe("2 replicas", two));
  console.log(`2 replicas / 1 replica: ${(two.readingsPerSecond / one.readingsPerSecond).toFixed(2)}x readings/s`);
} finally {
  await fixture.close();
}

// The relay as a process of its own, over mutual TLS, against what a hostile or broken
// gateway can send at once: oversized messages, and many streams racing on one sequence.
// The relay's resident memory is bounded: the peak (VmHWM) through each case stays under
// RSS_LIMIT_BYTES, and within RSS_GROWTH_LIMIT_BYTES of the relay's resident set once it is
// ready and idle. Both figures are printed.
import { join } from "node:path";
import { status } from "@grpc/grpc-js";
import { freePort } from "@intelledger/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  documentedBatchHash,
  newGateway,
  ProtoRelayClient,
  signedWireBatch,
  wireReadings,
  type Refusal,
  type UploadStream,
} from "../../cloud-relay/test/proto-relay-client.js";
import { createRelayFixture, type RelayFixture } from "../../cloud-relay/test/relay-fixture.js";
import { ChildService } from "./child-service.js";
import { writeConfig } from "./service-configs.js";

const MIB = 2 ** 20;
/** The relay's resident set through every case (measured: about 200 MiB). */
const RSS_LIMIT_BYTES = 256 * 1000 * 1000;
/** What one case may add (measured: about 10 MiB each). */
const RSS_GROWTH_LIMIT_BYTES = 128 * MIB;
/** Concurrent upload streams of one gateway racing on one sequence. */
const RACING_STREAMS = Number(process.env.EDGE_RELAY_RACING_STREAMS ?? 200);
const OVERSIZED_UPLOADS = 4;
const OVERSIZED_BYTES = 63 * 1024 * 1024;

let fixture: RelayFixture;
let relay: ChildService;
let address: string;
/** The relay's resident set once ready and idle. */
let idleRssBytes: number;

async function waitUntilReady(apiPort: number): Promise<void> {
  for (let attempt = 0; attempt < 600; attempt++) {
    const ready = await fetch(`http://127.0.0.1:${apiPort}/readyz`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("the relay never became ready");
}

function reportPeak(what: string): number {
  const peak = relay.peakRssBytes();
  console.log(
    `${what}: relay peak RSS ${(peak / MIB).toFixed(1)} MiB, idle ${(idleRssBytes / MIB).toFixed(1)} MiB, growth ${((peak - idleRssBytes) / MIB).toFixed(1)} MiB`,
  );
  return peak;
}

beforeAll(async () => {
  fixture = await createRelayFixture();
  const [port, apiPort] = [await freePort(), await freePort()];
  const configPath = writeConfig(
    join(fixture.dir, "config"),
    "relay",
    fixture.config({ listen: { host: "127.0.0.1", port }, api: { port: apiPort }, upload: { hashThreads: 1 } }),
  );
  relay = new ChildService("relay", configPath, join(fixture.dir, "relay.log"));
  await relay.start();
  address = `127.0.0.1:${port}`;
  await waitUntilReady(apiPort);
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  idleRssBytes = relay.rssBytes();
}, 240_000);

afterAll(async () => {
  await relay?.stop();
  relay?.close();
  await fixture?.close();
});

/** A registered gateway with its key, certificate and client. */
async function gateway() {
  const registered = await newGateway(address, (gatewayId) => fixture.gatewayTls(gatewayId));
  await registered.client.register(registered.signer);
  return registered;
}

describe("the relay under hostile load", () => {
  it(`refuses ${OVERSIZED_UPLOADS} concurrent 63 MiB uploads from their length, adding little to the relay's memory`, async () => {
    const { client } = await gateway();
    const streams = Array.from({ length: OVERSIZED_UPLOADS }, () => client.openRawUpload());
    for (const stream of streams) stream.sendRaw(Buffer.alloc(OVERSIZED_BYTES, 0x0a));
    const refusals = await Promise.all(streams.map((stream) => stream.ended));
    for (const refusal of refusals) expect(refusal).toMatchObject({ code: status.RESOURCE_EXHAUSTED });
    const peak = reportPeak(`${OVERSIZED_UPLOADS} x 63 MiB uploads`);
    expect(peak).toBeLessThan(RSS_LIMIT_BYTES);
    expect(peak - idleRssBytes).toBeLessThan(RSS_GROWTH_LIMIT_BYTES);
    client.close();
  }, 120_000);

  it(`answers ${RACING_STREAMS} streams racing on one sequence precisely, and extends the chain from any of them`, async () => {
    const { signer, client, tls } = await gateway();
    const readings = wireReadings([1, 2, 3]);
    // Two versions of batch 1: whichever is stored first, the other is a different batch.
    const versions = [
      await signedWireBatch(signer, { sequence: 1, previousBatchHash: new Uint8Array(32), readings, sealedAtMs: 1_000 }),
      await signedWireBatch(signer, { sequence: 1, previousBatchHash: new Uint8Array(32), readings, sealedAtMs: 2_000 }),
    ];
    // Four connections of the gateway, fifty streams each.
    const clients = Array.from({ length: 4 }, () => new ProtoRelayClient(address, tls));
    const streams: UploadStream[] = Array.from({ length: RACING_STREAMS }, (_, index) =>
      (clients[index % clients.length] as ProtoRelayClient).openUpload(),
    );
    streams.forEach((stream, index) => stream.sendBatch(versions[index % 2] as (typeof versions)[number]));
    const outcomes = await Promise.all(
      streams.map(async (stream) => {
        const ended = stream.ended.then((refusal): Outcome => ({ refusal }));
        type Outcome = { ack?: { batchHash: Buffer }; refusal?: Refusal | undefined };
        const acked: Promise<Outcome> = stream
          .next((answer) => answer.message === "ack")
          .then(
            (answer): Outcome | Promise<Outcome> => (answer.ack ? { ack: answer.ack } : ended),
            () => ended,
          );
        return Promise.race<Outcome>([acked, ended]);
      }),
    );
    const acked = outcomes.filter((outcome) => outcome.ack);
    const refused = outcomes.filter((outcome) => !outcome.ack);
    for (const { refusal } of refused)
      expect(refusal).toMatchObject({ code: status.ALREADY_EXISTS, metadata: { "x-detail-reason": "resend_differs" } });
    expect(acked.length).toBeGreaterThan(0);
    expect(acked.length + refused.length).toBe(RACING_STREAMS);
    // One batch 1 is stored, the one every ack names.
    const registered = await client.register(signer);
    expect(registered.nextSequence).toBe(2);
    const stored = Buffer.from(registered.lastBatchHash as Uint8Array);
    for (const { ack } of acked) expect(Buffer.from(ack?.batchHash ?? [])).toEqual(stored);
    const storedVersion = versions.find((version) => Buffer.from(documentedBatchHash(version.batch)).equals(stored));
    expect(storedVersion).toBeDefined();
    // A stream that raced, still open, takes the correctly linked batch 2.
    const survivor = streams[outcomes.findIndex((outcome) => outcome.ack)] as UploadStream;
    const next = await signedWireBatch(signer, { sequence: 2, previousBatchHash: stored, readings: wireReadings([4, 5]) });
    survivor.sendBatch(next);
    await survivor.next((answer) => answer.message === "ack" && answer.ack?.sequence === 2);
    for (const stream of streams) stream.end();
    const peak = reportPeak(`${RACING_STREAMS} racing streams (${acked.length} acked, ${refused.length} refused ALREADY_EXISTS)`);
    expect(peak).toBeLessThan(RSS_LIMIT_BYTES);
    expect(peak - idleRssBytes).toBeLessThan(RSS_GROWTH_LIMIT_BYTES);
    for (const extra of clients) extra.close();
    client.close();
  }, 240_000);
});

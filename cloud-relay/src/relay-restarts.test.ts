// The relay started and stopped many times in one process, each time checking a batch in
// its verification worker: worker threads that loaded circomlibjs's native BLAKE addon once
// corrupted the heap as they ended (Poseidon is loaded without it, see
// circuits/src/poseidon-hasher.ts), which aborted the process.
import { Wallet } from "ethers";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ProtoRelayClient, signedWireBatch, wireReadings } from "../test/proto-relay-client.js";
import { createRelayFixture, type RelayFixture } from "../test/relay-fixture.js";
import { parseRelayConfig } from "./config.js";
import { startRelay } from "./relay.js";

/** Starts and stops of the relay; 100 is the full run, the test command runs fewer. */
const RESTARTS = Number(process.env.EDGE_RELAY_RESTARTS ?? 3);

let fixture: RelayFixture;
beforeAll(async () => {
  fixture = await createRelayFixture();
}, 180_000);
afterAll(() => fixture?.close());

describe("the relay in one process", () => {
  it(
    `starts, stores a batch checked in its worker, and stops ${RESTARTS} times without a crash`,
    async () => {
      const signer = new Wallet(Wallet.createRandom().privateKey);
      const tls = await fixture.gatewayTls(signer.address);
      const config = parseRelayConfig(fixture.config({ upload: { hashThreads: 2 } }));
      let previousBatchHash = new Uint8Array(32);
      for (let round = 1; round <= RESTARTS; round++) {
        const relay = await startRelay(config, pino({ level: "silent" }));
        const client = new ProtoRelayClient(`127.0.0.1:${relay.port}`, tls);
        const signed = await signedWireBatch(signer, { sequence: round, previousBatchHash, readings: wireReadings([round]) });
        const stream = client.openUpload();
        stream.sendBatch(signed);
        // The first batch of a start waits for the worker threads to load, slow on a loaded machine.
        const answer = await stream
          .next((candidate) => candidate.message === "ack", 180_000)
          .catch((error: unknown) => {
            throw new Error(`round ${round}: ${(error as Error).message}`);
          });
        previousBatchHash = new Uint8Array(answer.ack?.batchHash ?? []);
        stream.end();
        expect(await stream.ended).toBeUndefined();
        client.close();
        await relay.stop();
      }
      expect(previousBatchHash).toHaveLength(32);
    },
    120_000 + RESTARTS * 200_000,
  );
});

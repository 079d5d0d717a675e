import type { BatchProof, Groth16Proof } from "@intelledger/circuits";
import { sealedBatchHeader, signBatch } from "@intelledger/proto/relay";
import { Wallet } from "ethers";
import { BatchOutbox, type StoredBatch } from "../src/batch/batch-outbox.js";
import { openGatewayDatabase, type SqliteDatabase } from "../src/store/gateway-database.js";
import { ReadingStore } from "../src/store/reading-store.js";

export interface OutboxFixture {
  db: SqliteDatabase;
  readings: ReadingStore;
  outbox: BatchOutbox;
  identity: Wallet;
  /** Stores `count` readings of `dataClass` and seals them into the next batch, signed by the gateway. */
  seal(count: number, dataClass?: number): Promise<StoredBatch>;
}

let frameCounter = 0;

/**
 * A gateway's outbox on an in-memory database, with a helper that seals batches of fresh
 * readings. The batches are signed and chained as the sealer does; their readings root is
 * a stand-in (no Poseidon hashing), which nothing below the relay's verifier checks.
 */
export function outboxFixture(nowMs: () => number = Date.now): OutboxFixture {
  const db = openGatewayDatabase(":memory:");
  const readings = new ReadingStore(db);
  const identity = new Wallet(Wallet.createRandom().privateKey);
  const outbox = new BatchOutbox({ db, gatewayId: identity.address, readings, now: nowMs });
  const seal = async (count: number, dataClass = 1) => {
    const firstSeq = readings.lastSeq() + 1;
    readings.commitFrames(
      Array.from({ length: count }, () => ({
        deviceId: "esp32-01",
        counter: ++frameCounter,
        clock: { nowMs: nowMs(), uncertain: false, boot: 1, uptimeMs: 1_000 },
        transport: "mqtt",
        status: undefined,
        samples: [{ channel: 1, index: 0, timestampMs: nowMs(), value: 2_100, scale: 2, dataClass }],
      })),
    );
    const members = readings.ofBatch({ dataClass, firstGatewaySeq: firstSeq, lastGatewaySeq: readings.lastSeq() });
    const place = outbox.nextPlace();
    const header = sealedBatchHeader(
      {
        gatewayId: identity.address,
        ...place,
        readingsRoot: new Uint8Array(32).fill(place.sequence % 256),
        sealedAtMs: nowMs(),
        dataClass,
      },
      members,
    );
    return outbox.seal(header, await signBatch(identity, header));
  };
  return { db, readings, outbox, identity, seal };
}

/** A proof as the prover pool gives it, with stand-in values (the gateway stores and forwards it unread). */
export function standInProof(sequence: number): BatchProof {
  const proof = {
    pi_a: ["1", "2", "1"],
    pi_b: [
      ["1", "2"],
      ["3", "4"],
      ["1", "0"],
    ],
    pi_c: ["5", "6", "1"],
    protocol: "groth16",
  };
  return { proof: proof as unknown as Groth16Proof, publicSignals: [String(sequence), "7"] };
}

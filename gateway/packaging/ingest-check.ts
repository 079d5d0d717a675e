// The gateway's ingest and storage on whatever Node.js and native addons run it: signed frames
// go through the ingest pipeline (signature, counter, admission) into the SQLite database, are
// sealed into signed, chained batches, a replay is refused, and the database passes its
// integrity check after a reopen. Run from an installed release (an arm64 one under QEMU, say);
// prints one line of JSON.   node --import tsx packaging/ingest-check.ts [frames]
import { generateKeyPairSync, sign } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadPoseidon } from "@intelledger/circuits";
import { Channel, DeviceFrame, SignedFrame } from "@intelledger/proto/device";
import { p256PointOf } from "@intelledger/proto/p256";
import { pino } from "pino";
import { DeviceAdmission } from "../src/acceptance/device-admission.js";
import { FrameAcceptor } from "../src/acceptance/frame-acceptor.js";
import { IngestPipeline } from "../src/acceptance/ingest-pipeline.js";
import { RefusalLog } from "../src/acceptance/refusal-log.js";
import { BatchOutbox } from "../src/batch/batch-outbox.js";
import { BatchSealer } from "../src/batch/batch-sealer.js";
import { GatewayClock } from "../src/clock/gateway-clock.js";
import { registerCurrentBoot } from "../src/clock/host-boot.js";
import { DeviceRegistry } from "../src/devices/device-registry.js";
import { loadOrCreateGatewayIdentity } from "../src/identity/gateway-identity.js";
import { DataClasses, DEFAULT_DATA_CLASS } from "../src/store/data-classes.js";
import { openGatewayDatabase } from "../src/store/gateway-database.js";
import { ReadingStore } from "../src/store/reading-store.js";

const frames = Number(process.argv[2] ?? 20);
const dataDir = mkdtempSync(join(tmpdir(), "gateway-ingest-check-"));
const dbPath = join(dataDir, "gateway.sqlite");
const logger = pino({ level: "silent" });
const startedAtMs = Date.now();
try {
  let db = openGatewayDatabase(dbPath);
  const identity = loadOrCreateGatewayIdentity(dataDir);
  const clock = new GatewayClock({ boot: registerCurrentBoot(db, Date.now()) });
  const registry = new DeviceRegistry(db);
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const deviceId = "check-01";
  registry.register(deviceId, p256PointOf(publicKey));
  const readings = new ReadingStore(db);
  const pipeline = new IngestPipeline({
    acceptor: new FrameAcceptor(
      registry,
      new DeviceAdmission({
        framesPerSecond: 1_000,
        burst: 1_000,
        maxFailures: 5,
        failureWindowMs: 60_000,
        quarantineMs: 60_000,
      }),
      { maxFrameBytes: 512, maxCounterJump: 1_000 },
    ),
    readings,
    clock,
    dataClasses: new DataClasses({}),
    storage: { full: false },
    storageFullRetryAfterMs: 1_000,
    logger,
    refusals: new RefusalLog({ logger, intervalMs: 60_000 }),
    groupCommitDelayMs: 2,
  });
  const signed = (counter: number): Uint8Array => {
    const timestampMs = Date.now();
    const samples = [Channel.CHANNEL_TEMPERATURE, Channel.CHANNEL_HUMIDITY, Channel.CHANNEL_VIBRATION].map((channel, i) => ({
      channel,
      index: 0,
      timestampMs,
      value: 2_000 + counter * 3 + i,
      scale: 2,
    }));
    const frame = DeviceFrame.encode({
      deviceId,
      counter: BigInt(counter),
      deviceTimeMs: timestampMs,
      uptimeMs: counter,
      samples,
    }).finish();
    const signature = sign("sha256", frame, { key: privateKey, dsaEncoding: "ieee-p1363" });
    return SignedFrame.encode({ frame, signature }).finish();
  };
  for (let counter = 1; counter <= frames; counter++) await pipeline.handle({ transport: "mqtt", bytes: signed(counter) });
  const replay = await pipeline.handle({ transport: "mqtt", bytes: signed(1) });
  const outbox = new BatchOutbox({ db, gatewayId: identity.address, readings });
  const sealer = new BatchSealer({
    readings,
    outbox,
    hasher: await loadPoseidon(),
    identity,
    maxReadings: 30,
    maxAgeMs: 0,
    dataClasses: [DEFAULT_DATA_CLASS],
    clock,
  });
  while (outbox.totals().sealedReadings < readings.count()) await sealer.sealDue();
  const { sealed, sealedReadings } = outbox.totals();
  db.close();
  // Reopened as after a restart: the rows, the counter and the chain are there.
  db = openGatewayDatabase(dbPath);
  const result = {
    arch: process.arch,
    node: process.version,
    frames,
    readingsStored: new ReadingStore(db).count(),
    replayRefused: !replay.accepted && replay.reason,
    batchesSealed: sealed,
    sealedReadings,
    lastCounter: String(new DeviceRegistry(db).get(deviceId)?.lastCounter),
    integrity: db.pragma("integrity_check", { simple: true }) as string,
    seconds: Math.round((Date.now() - startedAtMs) / 1000),
  };
  db.close();
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}

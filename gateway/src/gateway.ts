import { join } from "node:path";
import { loadPoseidon } from "@intelledger/circuits";
import type { Wallet } from "ethers";
import type { Logger } from "pino";
import { BatchSealer } from "./batching/batch-sealer.js";
import type { GatewayConfig } from "./config.js";
import { DeviceRegistry } from "./devices/device-registry.js";
import { FrameAcceptor } from "./devices/frame-acceptor.js";
import { loadOrCreateGatewayIdentity } from "./identity/gateway-identity.js";
import { EmbeddedMqttTransport } from "./ingest/embedded-mqtt-transport.js";
import { IngestPipeline, type IngestCounters } from "./ingest/ingest-pipeline.js";
import { BatchStore } from "./store/batch-store.js";
import { openGatewayDatabase, type SqliteDatabase } from "./store/gateway-database.js";
import { ReadingStore } from "./store/reading-store.js";
import { Backoff } from "./uplink/backoff.js";
import { BatchUploader, type UplinkStatus } from "./uplink/batch-uploader.js";
import { createRelayClient } from "./uplink/relay-client.js";

export interface GatewaySnapshot {
  gatewayId: string;
  ingest: IngestCounters;
  readingsStored: number;
  batchesSealed: number;
  batchesAcked: number;
  backlog: { batches: number; readings: number };
  uplink: UplinkStatus | undefined;
}

export interface Gateway {
  readonly id: string;
  readonly mqttPort: number;
  readonly devices: DeviceRegistry;
  readonly readings: ReadingStore;
  readonly batches: BatchStore;
  snapshot(): GatewaySnapshot;
  stop(): Promise<void>;
}

const SEAL_CHECK_INTERVAL_MS = 100;

/** Starts the gateway: database, device registry, MQTT ingest, batch sealing and, when configured, the relay uplink. */
export async function startGateway(config: GatewayConfig, logger: Logger): Promise<Gateway> {
  const db: SqliteDatabase = openGatewayDatabase(join(config.dataDir, "gateway.sqlite"));
  const identity: Wallet = loadOrCreateGatewayIdentity(config.dataDir);
  const devices = new DeviceRegistry(db);
  const readings = new ReadingStore(db);
  const batches = new BatchStore(db);
  const pipeline = new IngestPipeline({
    acceptor: new FrameAcceptor(devices, { maxFrameBytes: config.ingest.maxFrameBytes }),
    registry: devices,
    readings,
    logger: logger.child({ component: "ingest" }),
    groupCommitDelayMs: config.ingest.groupCommitDelayMs,
  });
  const mqtt = new EmbeddedMqttTransport({ ...config.mqtt, logger: logger.child({ component: "mqtt" }) });
  await mqtt.start(pipeline.handle);

  const uplink =
    config.relay &&
    new BatchUploader({
      client: createRelayClient(config.relay),
      identity,
      batches,
      readings,
      backoff: new Backoff(config.relay.reconnect),
      heartbeatIntervalMs: config.relay.heartbeatIntervalMs,
      logger: logger.child({ component: "uplink" }),
    });
  uplink?.start();

  const sealer = new BatchSealer({ readings, batches, hasher: await loadPoseidon(), identity, ...config.batching });
  let sealing: Promise<void> = Promise.resolve();
  const sealTimer = setInterval(() => {
    sealing = sealing
      .then(() => sealer.sealDue())
      .then(
        (sealed) => {
          if (sealed > 0) uplink?.notify();
        },
        (error: unknown) => logger.error({ err: error }, "sealing a batch failed"),
      );
  }, SEAL_CHECK_INTERVAL_MS);

  logger.info({ gatewayId: identity.address, mqttPort: mqtt.port, relay: config.relay?.address }, "gateway started");

  return {
    id: identity.address,
    mqttPort: mqtt.port,
    devices,
    readings,
    batches,
    snapshot: () => ({
      gatewayId: identity.address,
      ingest: structuredClone(pipeline.counters),
      readingsStored: readings.count(),
      batchesSealed: batches.last()?.sequence ?? 0,
      batchesAcked: batches.ackedCount(),
      backlog: batches.backlog(),
      uplink: uplink && { ...uplink.status },
    }),
    async stop() {
      await mqtt.stop();
      pipeline.flush();
      clearInterval(sealTimer);
      await sealing;
      await uplink?.stop();
      db.close();
      logger.info("gateway stopped");
    },
  };
}

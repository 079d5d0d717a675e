import { hostname } from "node:os";
import { join } from "node:path";
import { loadPoseidon } from "@intelledger/circuits";
import type { Wallet } from "ethers";
import type { Logger } from "pino";
import { AuditLog } from "./auth/audit-log.js";
import { GatewayAuth } from "./auth/gateway-auth.js";
import { BatchSealer } from "./batching/batch-sealer.js";
import { DeviceCommands } from "./commands/device-commands.js";
import type { GatewayConfig } from "./config.js";
import { DeviceRegistry } from "./devices/device-registry.js";
import { FrameAcceptor } from "./devices/frame-acceptor.js";
import { DerivedStore } from "./derived/derived-store.js";
import { AnomalyFeed } from "./feeds/anomaly-feed.js";
import { ReadingFeed } from "./feeds/reading-feed.js";
import { startGatewayHttp } from "./http/gateway-http.js";
import { loadOrCreateGatewayIdentity } from "./identity/gateway-identity.js";
import { EmbeddedMqttTransport } from "./ingest/embedded-mqtt-transport.js";
import { IngestPipeline, type IngestCounters } from "./ingest/ingest-pipeline.js";
import { createFlowGatewayApi } from "./node-red/flow-api.js";
import { startNodeRed, type NodeRedHost } from "./node-red/node-red-host.js";
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
  readonly httpPort: number;
  /** The one-time code that creates the first account; undefined once the gateway has one. */
  readonly pairingCode: string | undefined;
  /** Whether Node-RED is serving flows under /flows. */
  readonly nodeRedRunning: boolean;
  readonly auth: GatewayAuth;
  readonly audit: AuditLog;
  /** Derived readings and alerts written back by flows. */
  readonly derived: DerivedStore;
  /** Where commands to devices go; the command transport plugs in here. */
  readonly commands: DeviceCommands;
  /** Inference publishes scored readings here. */
  readonly anomalies: AnomalyFeed;
  snapshot(): GatewaySnapshot;
  stop(): Promise<void>;
}

const SEAL_CHECK_INTERVAL_MS = 100;

/**
 * Starts the gateway: database, device registry, MQTT ingest, batch sealing, the HTTP
 * server with its accounts and, when configured, Node-RED and the relay uplink.
 */
export async function startGateway(config: GatewayConfig, logger: Logger): Promise<Gateway> {
  const db: SqliteDatabase = openGatewayDatabase(join(config.dataDir, "gateway.sqlite"));
  const identity: Wallet = loadOrCreateGatewayIdentity(config.dataDir);
  const devices = new DeviceRegistry(db);
  const readings = new ReadingStore(db);
  const batches = new BatchStore(db);
  const audit = new AuditLog(db, logger.child({ component: "audit" }));
  const auth = new GatewayAuth({
    db,
    pairingFile: join(config.dataDir, "pairing-code"),
    sessionTtlMs: config.http.sessionTtlMinutes * 60_000,
    audit,
    logger: logger.child({ component: "auth" }),
  });
  const derived = new DerivedStore(db, { groupCommitDelayMs: config.ingest.groupCommitDelayMs });
  const commands = new DeviceCommands({ registry: devices, audit, logger: logger.child({ component: "commands" }) });
  const anomalies = new AnomalyFeed(logger.child({ component: "anomalies" }));
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

  const snapshot = (): GatewaySnapshot => ({
    gatewayId: identity.address,
    ingest: structuredClone(pipeline.counters),
    readingsStored: readings.count(),
    batchesSealed: batches.last()?.sequence ?? 0,
    batchesAcked: batches.ackedCount(),
    backlog: batches.backlog(),
    uplink: uplink && { ...uplink.status },
  });

  const http = await startGatewayHttp({
    ...config.http,
    auth,
    audit,
    derived,
    gatewayId: identity.address,
    snapshot,
    logger: logger.child({ component: "http" }),
  });
  const publicHost = ["0.0.0.0", "::"].includes(config.http.host) ? hostname() : config.http.host;
  auth.start(`http://${publicHost}:${http.port}/pair`);

  const readingFeed = new ReadingFeed({ readings, logger: logger.child({ component: "reading-feed" }) });
  let nodeRed: NodeRedHost | undefined;
  if (config.http.nodeRed.enabled) {
    try {
      nodeRed = await startNodeRed({
        http,
        userDir: join(config.dataDir, "node-red"),
        keepBackups: config.http.nodeRed.keepBackups,
        auth,
        audit,
        api: createFlowGatewayApi({ gatewayId: identity.address, readingFeed, anomalies, commands, derived, snapshot }),
        logger: logger.child({ component: "node-red" }),
      });
    } catch (error) {
      // Flows are an add-on to ingest, never a reason for it to stop.
      logger.error({ err: error }, "Node-RED failed to start; the gateway runs without flows");
    }
  }

  logger.info(
    { gatewayId: identity.address, mqttPort: mqtt.port, httpPort: http.port, relay: config.relay?.address },
    "gateway started",
  );

  return {
    id: identity.address,
    mqttPort: mqtt.port,
    httpPort: http.port,
    get pairingCode() {
      return auth.pairingCode;
    },
    nodeRedRunning: nodeRed !== undefined,
    devices,
    readings,
    batches,
    auth,
    audit,
    derived,
    commands,
    anomalies,
    snapshot,
    async stop() {
      await nodeRed?.stop().catch((error: unknown) => logger.error({ err: error }, "Node-RED did not stop cleanly"));
      readingFeed.stop();
      await http.close();
      await mqtt.stop();
      pipeline.flush();
      derived.flush();
      clearInterval(sealTimer);
      await sealing;
      await uplink?.stop();
      db.close();
      logger.info("gateway stopped");
    },
  };
}

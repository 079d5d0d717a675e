import { hostname } from "node:os";
import { join } from "node:path";
import { loadPoseidon } from "@intelledger/circuits";
import type { Logger } from "pino";
import { AuditLog } from "./auth/audit-log.js";
import { GatewayAuth } from "./auth/gateway-auth.js";
import { BatchSealer } from "./batching/batch-sealer.js";
import { GatewayClock } from "./clock/gateway-clock.js";
import { registerCurrentBoot } from "./clock/host-boot.js";
import { DeviceCommands } from "./commands/device-commands.js";
import type { GatewayConfig } from "./config.js";
import { DeviceRegistry } from "./devices/device-registry.js";
import { DerivedStore } from "./derived/derived-store.js";
import { FrameAcceptor } from "./devices/frame-acceptor.js";
import { AnomalyFeed } from "./feeds/anomaly-feed.js";
import { ReadingFeed } from "./feeds/reading-feed.js";
import { startGatewayHttp } from "./http/gateway-http.js";
import { loadOrCreateGatewayIdentity } from "./identity/gateway-identity.js";
import { EmbeddedMqttTransport } from "./ingest/embedded-mqtt-transport.js";
import { IngestPipeline, type IngestCounters } from "./ingest/ingest-pipeline.js";
import { createGatewayMetrics } from "./metrics/gateway-metrics.js";
import { createFlowGatewayApi } from "./node-red/flow-api.js";
import { startNodeRed, type NodeRedHost } from "./node-red/node-red-host.js";
import { daysOfAutonomy, RateEstimator } from "./storage/rate-estimator.js";
import { DataClasses } from "./storage/data-classes.js";
import { StorageGuard, type StorageState } from "./storage/storage-guard.js";
import { BatchStore, type Backlog } from "./store/batch-store.js";
import { openGatewayDatabase } from "./store/gateway-database.js";
import { ReadingStore } from "./store/reading-store.js";
import { Backoff } from "./uplink/backoff.js";
import { BatchUploader, type UplinkStatus } from "./uplink/batch-uploader.js";
import { createRelayClient } from "./uplink/relay-client.js";

export interface GatewaySnapshot {
  gatewayId: string;
  ingest: IngestCounters;
  readingsStored: number;
  batchesSealed: number;
  readingsSealed: number;
  batchesAcked: number;
  backlog: Backlog;
  storage: StorageState & { daysOfAutonomy: number; ingestReadingsPerSecond: number };
  /** Readings per second the relay acknowledged, lately. */
  drainReadingsPerSecond: number;
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

/** Runs `task` every `intervalMs`, never overlapping itself; `stop` waits for a run in progress. */
function every(intervalMs: number, task: () => unknown, onError: (error: unknown) => void) {
  let running: Promise<unknown> = Promise.resolve();
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    running = Promise.resolve()
      .then(task)
      .catch(onError)
      .finally(() => (busy = false));
  }, intervalMs);
  return async () => {
    clearInterval(timer);
    await running;
  };
}

/**
 * Starts the gateway: database, device registry, MQTT ingest, batch sealing, the disk
 * quota, the HTTP server with its accounts and, when configured, Node-RED and the relay
 * uplink.
 */
export async function startGateway(config: GatewayConfig, logger: Logger): Promise<Gateway> {
  const dbPath = join(config.dataDir, "gateway.sqlite");
  const db = openGatewayDatabase(dbPath);
  const identity = loadOrCreateGatewayIdentity(config.dataDir);
  const clock = new GatewayClock({ boot: registerCurrentBoot(db, Date.now()) });
  const dataClasses = new DataClasses(config.storage.dataClasses);
  const devices = new DeviceRegistry(db);
  const readings = new ReadingStore(db);
  const batches = new BatchStore(db);
  const storage = new StorageGuard({
    db,
    dbPath,
    readings,
    batches,
    identity,
    quotaBytes: config.storage.quotaBytes,
    policy: config.storage.policy,
    retainAckedMs: config.storage.retainAckedDays * 86_400_000,
    logger: logger.child({ component: "storage" }),
  });
  await storage.enforce();
  // Ingest over ten minutes, for a steady autonomy estimate; draining over ten seconds.
  const ingestRate = new RateEstimator({ halfLifeMs: 600_000 });
  const drainRate = new RateEstimator({ halfLifeMs: 10_000 });
  const audit = new AuditLog(db, logger.child({ component: "audit" }));
  const auth = new GatewayAuth({
    db,
    pairingFile: join(config.dataDir, "pairing-code"),
    sessionTtlMs: config.http.sessionTtlMinutes * 60_000,
    audit,
    logger: logger.child({ component: "auth" }),
  });
  const derived = new DerivedStore({
    db,
    readings,
    clock,
    dataClasses,
    storage,
    groupCommitDelayMs: config.ingest.groupCommitDelayMs,
  });
  const commands = new DeviceCommands({ registry: devices, audit, logger: logger.child({ component: "commands" }) });
  const anomalies = new AnomalyFeed(logger.child({ component: "anomalies" }));

  const pipeline = new IngestPipeline({
    acceptor: new FrameAcceptor(devices, { maxFrameBytes: config.ingest.maxFrameBytes }),
    registry: devices,
    readings,
    clock,
    dataClasses,
    storage,
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
      clock,
      backoff: new Backoff(config.relay.reconnect),
      heartbeatIntervalMs: config.relay.heartbeatIntervalMs,
      logger: logger.child({ component: "uplink" }),
    });
  uplink?.start();

  const sealer = new BatchSealer({
    readings,
    batches,
    hasher: await loadPoseidon(),
    identity,
    dataClasses: dataClasses.all(),
    ...config.batching,
  });
  const stopDrainRate = every(
    1_000,
    () => drainRate.observe(uplink?.status.readingsAcked ?? 0, Date.now()),
    (error) => logger.error({ err: error }, "measuring the drain rate failed"),
  );
  const stopSealing = every(
    SEAL_CHECK_INTERVAL_MS,
    async () => {
      if ((await sealer.sealDue()) > 0) uplink?.notify();
    },
    (error) => logger.error({ err: error }, "sealing a batch failed"),
  );
  const stopStorage = every(
    config.storage.checkIntervalMs,
    async () => {
      ingestRate.observe(pipeline.counters.readingsAccepted, Date.now());
      await storage.enforce();
    },
    (error) => logger.error({ err: error }, "enforcing the disk quota failed"),
  );

  const snapshot = (): GatewaySnapshot => {
    const stored = readings.count();
    const { bytesUsed, quotaBytes } = storage.state;
    const totals = batches.totals();
    return {
      gatewayId: identity.address,
      ingest: structuredClone(pipeline.counters),
      readingsStored: stored,
      batchesSealed: totals.sealed,
      readingsSealed: totals.sealedReadings,
      batchesAcked: totals.acked,
      backlog: batches.backlog(),
      storage: {
        ...storage.state,
        daysOfAutonomy: daysOfAutonomy(quotaBytes - bytesUsed, stored > 0 ? bytesUsed / stored : 0, ingestRate.perSecond),
        ingestReadingsPerSecond: ingestRate.perSecond,
      },
      drainReadingsPerSecond: drainRate.perSecond,
      uplink: uplink && { ...uplink.status },
    };
  };

  const http = await startGatewayHttp({
    ...config.http,
    auth,
    audit,
    derived,
    gatewayId: identity.address,
    snapshot,
    metrics: createGatewayMetrics(snapshot),
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
      await stopSealing();
      await stopDrainRate();
      await stopStorage();
      await uplink?.stop();
      db.close();
      logger.info("gateway stopped");
    },
  };
}

import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { loadPoseidon } from "@intelledger/circuits";
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import { AuditLog } from "./auth/audit-log.js";
import { GatewayAuth } from "./auth/gateway-auth.js";
import { BatchSealer } from "./batching/batch-sealer.js";
import { ProofStore } from "./store/proof-store.js";
import { startProving } from "./proving/start-proving.js";
import { every } from "./timers/every.js";
import { GatewayClock } from "./clock/gateway-clock.js";
import { registerCurrentBoot } from "./clock/host-boot.js";
import { AuditedCommands } from "./commands/audited-commands.js";
import { CommandService, type CommandAction, type CommandOutcome } from "./commands/command-service.js";
import type { GatewayConfig } from "./config.js";
import { DeviceRoutes } from "./commands/device-routes.js";
import { DerivedStore } from "./derived/derived-store.js";
import { DeviceAdmission } from "./devices/device-admission.js";
import { DeviceRegistry } from "./devices/device-registry.js";
import { FrameAcceptor } from "./devices/frame-acceptor.js";
import { AnomalyFeed } from "./feeds/anomaly-feed.js";
import { ReadingFeed } from "./feeds/reading-feed.js";
import { startGatewayHttp } from "./http/gateway-http.js";
import { loadOrCreateCommandKey } from "./identity/command-key.js";
import { loadOrCreateGatewayIdentity } from "./identity/gateway-identity.js";
import type { BleCentral } from "./ingest/ble/ble-central.js";
import { BluezCentral } from "./ingest/ble/bluez-central.js";
import { BleTransport } from "./ingest/ble-transport.js";
import { EmbeddedMqttTransport } from "./ingest/embedded-mqtt-transport.js";
import { ExternalMqttTransport } from "./ingest/external-mqtt-transport.js";
import type { FrameTransport } from "./ingest/frame-transport.js";
import { IngestPipeline, type IngestCounters } from "./ingest/ingest-pipeline.js";
import { SerialTransport } from "./ingest/serial-transport.js";
import { createGatewayMetrics } from "./metrics/gateway-metrics.js";
import type { ModelManager } from "./inference/model-manager.js";
import { startInference } from "./inference/start-inference.js";
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
  quarantinedDevices: string[];
  serial: { openPorts: string[]; framingErrors: SerialTransport["framingErrors"] } | undefined;
  ble: { connectedDevices: string[]; framingErrors: BleTransport["framingErrors"] } | undefined;
  readingsStored: number;
  batchesSealed: number;
  readingsSealed: number;
  batchesAcked: number;
  backlog: Backlog;
  storage: StorageState & { daysOfAutonomy: number; ingestReadingsPerSecond: number };
  /** Readings per second the relay acknowledged, lately. */
  drainReadingsPerSecond: number;
  uplink: UplinkStatus | undefined;
  /** Batch proofs: made, taken by the relay, found invalid by it; proving runs and failures. */
  proofs: { proved: number; uploaded: number; invalid: number; proving: number; failures: number };
  /** The anomaly model in use and how far scoring got; undefined when inference is off. */
  inference: { model: string | undefined; scoredThroughSeq: number } | undefined;
}

export interface Gateway {
  readonly id: string;
  /** The embedded broker's port; undefined when the gateway uses an external broker. */
  readonly mqttPort: number | undefined;
  /** The point devices are provisioned with to check this gateway's commands. */
  readonly commandPublicKey: Uint8Array;
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
  /** Inference publishes scored readings here. */
  readonly anomalies: AnomalyFeed;
  /** What /metrics serves. */
  readonly metrics: Registry;
  /** The anomaly model in use and its versions; undefined when inference is off. */
  readonly models: ModelManager | undefined;
  /** Sends a signed command to a device and waits for its acknowledgement. */
  sendCommand(deviceId: string, action: CommandAction): Promise<CommandOutcome>;
  snapshot(): GatewaySnapshot;
  stop(): Promise<void>;
}

const SEAL_CHECK_INTERVAL_MS = 100;

export interface GatewayOptions {
  /** The wall clock; the host's by default. */
  wallClock?: () => number;
  /** The BLE central to use instead of BlueZ (turns BLE on). */
  bleCentral?: BleCentral;
}

/**
 * Starts the gateway: database, device registry, ingest, batch sealing, the disk quota,
 * the HTTP server with its accounts and, when configured, Node-RED and the relay uplink.
 */
export async function startGateway(config: GatewayConfig, logger: Logger, options: GatewayOptions = {}): Promise<Gateway> {
  const dbPath = join(config.dataDir, "gateway.sqlite");
  const db = openGatewayDatabase(dbPath);
  const identity = loadOrCreateGatewayIdentity(config.dataDir);
  const clock = new GatewayClock({
    boot: registerCurrentBoot(db, Date.now()),
    ...(options.wallClock === undefined ? {} : { wallNow: options.wallClock }),
  });
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
  const anomalies = new AnomalyFeed(logger.child({ component: "anomalies" }));

  const admission = new DeviceAdmission(config.ingest.admission);
  const pipeline = new IngestPipeline({
    acceptor: new FrameAcceptor(devices, admission, { maxFrameBytes: config.ingest.maxFrameBytes }),
    registry: devices,
    readings,
    clock,
    dataClasses,
    storage,
    logger: logger.child({ component: "ingest" }),
    groupCommitDelayMs: config.ingest.groupCommitDelayMs,
  });
  const { broker } = config.mqtt;
  const mqttLogger = logger.child({ component: "mqtt" });
  const mqtt = broker
    ? new ExternalMqttTransport({
        ...broker,
        clientId: broker.clientId ?? `intelledger-gateway-${identity.address.slice(2, 10).toLowerCase()}`,
        password: broker.passwordFile === undefined ? undefined : readFileSync(broker.passwordFile, "utf8").trim(),
        logger: mqttLogger,
      })
    : new EmbeddedMqttTransport({ ...config.mqtt, logger: mqttLogger });
  const serial =
    config.serial.ports.length > 0
      ? new SerialTransport({ ...config.serial, logger: logger.child({ component: "serial" }) })
      : undefined;
  const bleCentral =
    options.bleCentral ??
    (config.ble.enabled
      ? new BluezCentral({ adapter: config.ble.adapter, logger: logger.child({ component: "ble" }) })
      : undefined);
  const ble = bleCentral && new BleTransport({ central: bleCentral, logger: logger.child({ component: "ble" }) });
  const transports: FrameTransport[] = [mqtt, ...(serial ? [serial] : []), ...(ble ? [ble] : [])];
  const routes = new DeviceRoutes(transports);
  const commandKey = loadOrCreateCommandKey(config.dataDir);
  const commands = new CommandService({
    db,
    key: commandKey,
    routes,
    logger: logger.child({ component: "commands" }),
    timeoutMs: config.commands.timeoutMs,
  });
  pipeline.on("stored", (frame) => {
    routes.noteFrom(frame.deviceId, frame.transport);
    if (frame.commandAck) commands.acknowledge(frame.deviceId, frame.commandAck);
  });
  for (const transport of transports) await transport.start(pipeline.handle);
  const mqttPort = mqtt instanceof EmbeddedMqttTransport ? mqtt.port : undefined;

  const proofs = new ProofStore(db);
  const uplink =
    config.relay &&
    new BatchUploader({
      client: createRelayClient(config.relay),
      identity,
      batches,
      readings,
      proofs,
      clock,
      backoff: new Backoff(config.relay.reconnect),
      heartbeatIntervalMs: config.relay.heartbeatIntervalMs,
      logger: logger.child({ component: "uplink" }),
    });
  uplink?.start();

  const metricsRegistry = createGatewayMetrics(() => snapshot());
  const inference = await startInference({ config: config.inference, db, feed: anomalies, registry: metricsRegistry, logger });

  const hasher = await loadPoseidon();
  const sealer = new BatchSealer({
    readings,
    batches,
    hasher,
    identity,
    dataClasses: dataClasses.all(),
    clock,
    ...config.batching,
    ...(inference.sealScoring ? { scoring: inference.sealScoring } : {}),
  });
  const proving = startProving({
    config: config.proving,
    hasher,
    gatewayId: identity.address,
    batches,
    readings,
    proofs,
    logger,
    onProved: () => uplink?.notify(),
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
      quarantinedDevices: admission.quarantined(),
      serial: serial && { openPorts: serial.openPorts, framingErrors: { ...serial.framingErrors } },
      ble: ble && { connectedDevices: ble.connectedDevices, framingErrors: { ...ble.framingErrors } },
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
      proofs: { ...proofs.totals(), proving: proving?.pending ?? 0, failures: proving?.failures ?? 0 },
      inference: inference.status(),
    };
  };

  const http = await startGatewayHttp({
    ...config.http,
    auth,
    audit,
    derived,
    gatewayId: identity.address,
    snapshot,
    metrics: metricsRegistry,
    models: inference.models,
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
        api: createFlowGatewayApi({
          gatewayId: identity.address,
          readingFeed,
          anomalies,
          commands: new AuditedCommands({ sender: commands, registry: devices, audit }),
          derived,
          snapshot,
        }),
        logger: logger.child({ component: "node-red" }),
      });
    } catch (error) {
      // Flows are an add-on to ingest, never a reason for it to stop.
      logger.error({ err: error }, "Node-RED failed to start; the gateway runs without flows");
    }
  }

  logger.info(
    {
      gatewayId: identity.address,
      mqtt: broker?.url ?? `embedded on port ${mqttPort}`,
      httpPort: http.port,
      relay: config.relay?.address,
    },
    "gateway started",
  );

  return {
    id: identity.address,
    mqttPort,
    httpPort: http.port,
    get pairingCode() {
      return auth.pairingCode;
    },
    nodeRedRunning: nodeRed !== undefined,
    commandPublicKey: commandKey.publicKeyPoint,
    devices,
    readings,
    batches,
    auth,
    audit,
    derived,
    anomalies,
    models: inference.models,
    metrics: metricsRegistry,
    sendCommand: (deviceId, action) => commands.send(deviceId, action),
    snapshot,
    async stop() {
      await nodeRed?.stop().catch((error: unknown) => logger.error({ err: error }, "Node-RED did not stop cleanly"));
      readingFeed.stop();
      await http.close();
      for (const transport of transports) await transport.stop();
      commands.close();
      pipeline.flush();
      derived.flush();
      await inference.stop();
      await stopSealing();
      await proving?.stop();
      await stopDrainRate();
      await stopStorage();
      await uplink?.stop();
      db.close();
      logger.info("gateway stopped");
    },
  };
}

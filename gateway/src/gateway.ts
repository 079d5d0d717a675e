import type { Server } from "node:http";
import { hostname } from "node:os";
import { join } from "node:path";
import { loadPoseidon } from "@intelledger/circuits";
import { every, RateEstimator, startService, type Supervisor } from "@intelledger/service-kit";
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import { AuditLog } from "./auth/audit-log.js";
import { GatewayAuth } from "./auth/gateway-auth.js";
import { BatchOutbox } from "./batch/batch-outbox.js";
import { BatchSealer } from "./batch/batch-sealer.js";
import { DEFAULT_SCHEDULE, OutboxScheduler } from "./batch/outbox-scheduler.js";
import { GatewayClock } from "./clock/gateway-clock.js";
import { registerCurrentBoot } from "./clock/host-boot.js";
import { AuditedCommands } from "./commands/audited-commands.js";
import { CommandService, type CommandAction, type CommandOutcome } from "./commands/command-service.js";
import { DeviceRoutes } from "./commands/device-routes.js";
import type { GatewayConfig } from "./config.js";
import { DerivedStore } from "./store/derived-store.js";
import { DeviceAdmission } from "./acceptance/device-admission.js";
import { DeviceRegistry } from "./devices/device-registry.js";
import { FrameAcceptor } from "./acceptance/frame-acceptor.js";
import { RefusalLog } from "./acceptance/refusal-log.js";
import { AnomalyFeed } from "./feeds/anomaly-feed.js";
import { ReadingFeed } from "./feeds/reading-feed.js";
import { takeSnapshot, type GatewaySnapshot } from "./gateway-snapshot.js";
import { startGatewayHttp } from "./http/gateway-http.js";
import { loadOrCreateCommandKey } from "./identity/command-key.js";
import { loadOrCreateGatewayIdentity } from "./identity/gateway-identity.js";
import type { ModelManager } from "./inference/model-manager.js";
import { InferenceMetrics } from "./inference/inference-metrics.js";
import { sealScoringOf, startInference, type RunningInference } from "./inference/start-inference.js";
import type { FrameTransport } from "./ingest/frame-transport.js";
import { Subsystems, restartPolicyOf } from "./supervision/subsystems.js";
import { nodeRedFailure, nodeRedState, uplinkStall, uplinkState } from "./supervision/part-states.js";
import type { BleCentral } from "./ingest/ble/ble-central.js";
import { createTransports } from "./ingest/create-transports.js";
import { EmbeddedMqttTransport } from "./ingest/embedded-mqtt-transport.js";
import { ExternalMqttTransport } from "./ingest/external-mqtt-transport.js";
import { startAnalytics, type RunningAnalytics } from "./analytics/start-analytics.js";
import { SeriesQuery } from "./analytics/series-query.js";
import { RollupStore } from "./analytics/rollup-store.js";
import { rolledUpThrough } from "./analytics/analytics-follower.js";
import { seriesRoutes } from "./http/series-routes.js";
import { unknownRuleDevices } from "./analytics/rule-devices.js";
import { RuleAlertFeed } from "./analytics/rule-alert-feed.js";
import { IngestPipeline } from "./acceptance/ingest-pipeline.js";
import { createGatewayMetrics } from "./metrics/gateway-metrics.js";
import { createFlowGatewayApi } from "./node-red/flow-api.js";
import { startNodeRed, type NodeRedHost } from "./node-red/node-red-host.js";
import { startProving, type RunningProving } from "./prove/start-proving.js";
import { DataClasses } from "./store/data-classes.js";
import { StorageGuard } from "./store/storage-guard.js";
import { openGatewayDatabase } from "./store/gateway-database.js";
import { ReadingStore } from "./store/reading-store.js";
import { Backoff } from "./uplink/backoff.js";
import { BatchUploader } from "./uplink/batch-uploader.js";
import { createRelayClient } from "./uplink/relay-client.js";
import type { ApplyOutcome, ConfigManager } from "./config-admin/config-manager.js";
import { databaseWritable } from "./store/database-writable.js";
import { superviseGateway, type RunningParts } from "./gateway-runtime.js";
import type { GatewayHealth } from "./config-admin/config-health.js";
import { DeploymentAgent } from "./deployments/deployment-agent.js";
import { configRoutes } from "./http/config-routes.js";
import { uplinkRoutes } from "./http/uplink-routes.js";
import { liveRoutes } from "./http/live-routes.js";
import { proofRoutes } from "./http/proof-routes.js";
import { commandRoutes } from "./http/command-routes.js";
import { LiveEvents } from "./live/live-events.js";
import { startLiveSources } from "./live/live-sources.js";
import { announceOnLan } from "./discovery/lan-announcer.js";
import type { ConfiguredBounds } from "./batch/committed-bounds.js";
import { DeviceActivity } from "./devices/device-activity.js";
import { DeviceLifecycle } from "./devices/device-lifecycle.js";
import { streamBoundsOf, thresholdsWithDevices } from "./devices/device-settings.js";
import { deviceAdminRoutes } from "./http/device-admin-routes.js";
import { DeviceProvisioning } from "./devices/device-provisioning.js";
import { provisioningRoutes, serialPortRoutes } from "./http/provisioning-routes.js";
import { GATEWAY_VERSION } from "./gateway-version.js";
import { enrollGateway, type EnrollmentRequestBody } from "./enrollment/enroll-gateway.js";
import type { EnrolledRelay } from "./enrollment/relay-enrollment.js";

export interface Gateway {
  readonly id: string;
  /** The embedded broker's port; undefined when the gateway uses an external broker. */
  readonly mqttPort: number | undefined;
  /** The point devices are provisioned with to check this gateway's commands. */
  readonly commandPublicKey: Uint8Array;
  readonly devices: DeviceRegistry;
  readonly readings: ReadingStore;
  /** Sealed batches and where each is in its life, from sealing until the relay holds it. */
  readonly batches: BatchOutbox;
  readonly httpPort: number;
  /** The HTTP server answering the API, the login pages and the flow editor. */
  readonly httpServer: Server;
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
  /** The configuration as one document: validate, diff, apply with a health watch, history, revert. */
  readonly management: ConfigManager;
  /** Whether ingest runs and the database takes writes (what the service watchdog and config watch check). */
  health(): GatewayHealth;
  /** Rollups, alert rules and their delivery; undefined when analytics is off. */
  readonly analytics: RunningAnalytics | undefined;
  /** Enrolls with a relay and connects to it, as POST /api/uplink/enroll does. */
  enrollWithRelay(request: EnrollmentRequestBody, actor: string): Promise<{ enrolled: EnrolledRelay; outcome: ApplyOutcome }>;
  /** Sends a signed command to a device and waits for its acknowledgement. */
  sendCommand(deviceId: string, action: CommandAction): Promise<CommandOutcome>;
  snapshot(): GatewaySnapshot;
  stop(): Promise<void>;
}

/** The port of an external broker's URL, mqtt:// or mqtts://, with the scheme's default. */
function brokerPort(url: string | undefined): number | undefined {
  if (url === undefined) return undefined;
  const { port, protocol } = new URL(url);
  return port === "" ? (protocol === "mqtts:" ? 8883 : 1883) : Number(port);
}

export interface GatewayOptions {
  /** The wall clock; the host's by default. */
  wallClock?: () => number;
  /** The BLE central to use instead of BlueZ (turns BLE on). */
  bleCentral?: BleCentral;
}

/**
 * Starts the gateway with the configuration it was given or, when that is unchanged since
 * the last start, with the one last applied through the API (see gateway/README.md), and
 * keeps it running across configuration changes.
 */
export async function startGateway(config: GatewayConfig, logger: Logger, options: GatewayOptions = {}): Promise<Gateway> {
  return superviseGateway<Omit<Gateway, "management" | "health">>(
    config,
    logger,
    (current, management) => startGatewayParts(current, logger, options, management),
    (gateway) => {
      const agent = new DeploymentAgent({
        gatewayId: gateway.id,
        management: gateway.management,
        dataDir: config.dataDir,
        logger: logger.child({ component: "deployments" }),
      });
      agent.start();
      return agent;
    },
  );
}

/**
 * The gateway's parts: database, device registry, ingest, the batch outbox (sealing,
 * proving, releasing and pruning on one schedule, which wakes the uploader), the disk quota,
 * the HTTP server with its accounts and, when configured, Node-RED and the relay uplink.
 * Parts start in the order below and stop in reverse; a part that fails to start stops the
 * ones before it. A live configuration change updates components in place or restarts the
 * parts it concerns, which read `config` anew.
 */
async function startGatewayParts(
  config: GatewayConfig,
  logger: Logger,
  options: GatewayOptions,
  management: ConfigManager,
): Promise<RunningParts<Omit<Gateway, "management" | "health">>> {
  return startService(logger, async (parts) => {
    const dbPath = join(config.dataDir, "gateway.sqlite");
    const db = await parts.start(
      "database",
      () => openGatewayDatabase(dbPath),
      (database) => {
        database.close();
      },
    );
    const identity = loadOrCreateGatewayIdentity(config.dataDir);
    const clock = new GatewayClock({
      boot: registerCurrentBoot(db, Date.now()),
      ...(options.wallClock === undefined ? {} : { wallNow: options.wallClock }),
    });
    const dataClasses = new DataClasses(config.storage.dataClasses);
    const devices = new DeviceRegistry(db);
    for (const device of devices.list()) dataClasses.setDevice(device.deviceId, device.settings.dataClasses);
    // What technicians set per device, read as each batch is sealed.
    const deviceBounds: ConfiguredBounds = (stream) => {
      const device = devices.get(stream.deviceId);
      return device && streamBoundsOf(device.settings, stream);
    };
    const readings = new ReadingStore(db);
    const outbox = new BatchOutbox({ db, gatewayId: identity.address, readings });
    const storage = new StorageGuard({
      db,
      dbPath,
      outbox,
      identity,
      quotaBytes: config.storage.quotaBytes,
      minFreeDiskBytes: config.storage.minFreeDiskBytes,
      policy: config.storage.policy,
      retainAckedMs: config.storage.retainAckedDays * 86_400_000,
      // Raw readings go only once the rollups have them (config is read anew after a live change).
      rolledUpThrough: () => (config.analytics.enabled ? rolledUpThrough(db) : Number.MAX_SAFE_INTEGER),
      logger: logger.child({ component: "storage" }),
    });
    await storage.enforce();
    const audit = new AuditLog(db, logger.child({ component: "audit" }));
    const auth = new GatewayAuth({
      db,
      pairingFile: join(config.dataDir, "pairing-code"),
      sessionTtlMs: config.http.sessionTtlMinutes * 60_000,
      audit,
      logger: logger.child({ component: "auth" }),
    });
    const anomalies = new AnomalyFeed(logger.child({ component: "anomalies" }));
    // Each subsystem below is restarted on its own when it fails; the gateway goes on without it meanwhile.
    const subsystems = new Subsystems(restartPolicyOf(config.supervision), logger.child({ component: "supervision" }));

    const uplinkPart = await subsystems.start<BatchUploader>(parts, "uplink", {
      start: () => {
        if (!config.relay) return undefined;
        const uploader = new BatchUploader({
          client: createRelayClient(config.relay),
          identity,
          outbox,
          clock,
          backoff: new Backoff(config.relay.reconnect),
          heartbeatIntervalMs: config.relay.heartbeatIntervalMs,
          logger: logger.child({ component: "uplink" }),
        });
        uploader.start();
        return uploader;
      },
      stop: (uploader) => uploader.stop(),
      probe: (uploader) => uplinkStall(uploader.status, outbox.backlog().batches, config.supervision.uplinkStallMs),
      report: (uploader) => uplinkState(uploader.status),
    });
    const uplink = () => uplinkPart.current;

    // Ingest over ten minutes, for a steady autonomy estimate; draining over ten seconds.
    const ingestRate = new RateEstimator({ halfLifeMs: 600_000 });
    const drainRate = new RateEstimator({ halfLifeMs: 10_000 });
    const admission = new DeviceAdmission(config.ingest.admission);
    const refusals = new RefusalLog({
      logger: logger.child({ component: "refusals" }),
      intervalMs: config.ingest.refusalLogIntervalMs,
    });
    const pipeline = new IngestPipeline({
      acceptor: new FrameAcceptor(devices, admission, config.ingest),
      readings,
      clock,
      dataClasses,
      storage,
      storageFullRetryAfterMs: config.storage.checkIntervalMs,
      logger: logger.child({ component: "ingest" }),
      refusals,
      groupCommitDelayMs: config.ingest.groupCommitDelayMs,
    });
    const { transports, mqtt, serial, ble } = createTransports({
      config,
      gatewayId: identity.address,
      devices,
      refusals,
      logger,
      bleCentral: options.bleCentral,
    });

    const metricsRegistry = createGatewayMetrics(() => snapshot());
    const inferenceMetrics = new InferenceMetrics(metricsRegistry);
    const inferencePart = await subsystems.start<RunningInference>(parts, "inference", {
      start: async (failed) => {
        const running = await startInference({
          config: config.inference,
          db,
          feed: anomalies,
          metrics: inferenceMetrics,
          logger,
          failed,
        });
        running?.setThresholds(thresholdsWithDevices(config.inference.thresholds, devices.list()));
        return running;
      },
      stop: (running) => running.stop(),
    });
    // Whichever start of inference runs now.
    const inference = {
      get models() {
        return inferencePart.current?.models;
      },
      status: () => inferencePart.current?.status(),
      setThresholds: (thresholds: Parameters<RunningInference["setThresholds"]>[0]) =>
        inferencePart.current?.setThresholds(thresholds),
    };
    const hasher = await loadPoseidon();
    const provingPart = await subsystems.start<RunningProving>(parts, "prover", {
      start: (failed) => startProving({ config: config.proving, hasher, outbox, logger, failed }),
      stop: (running) => running.stop(),
    });
    // Whichever pool of provers runs now; batches wait in the database while none does.
    const proving = config.proving.enabled
      ? {
          get pending() {
            return provingPart.current?.pending ?? 0;
          },
          get failures() {
            return provingPart.current?.failures ?? 0;
          },
          queueDue: () => provingPart.current?.queueDue(),
        }
      : undefined;
    const scheduler = await parts.start(
      "outbox scheduler",
      () => {
        const started = new OutboxScheduler({
          work: { outbox, storage, prover: proving, uploader: uplink },
          schedule: { ...DEFAULT_SCHEDULE, storageIntervalMs: config.storage.checkIntervalMs },
          logger: logger.child({ component: "outbox" }),
        });
        started.start();
        return started;
      },
      (running) => running.stop(),
    );
    // Batching settings change live: the sealer is made anew with them, after the one before stopped.
    const sealScoring = sealScoringOf(config.inference, inferenceMetrics);
    const sealing = await parts.startRestartable(
      "sealing",
      () =>
        scheduler.startSealing(
          new BatchSealer({
            readings,
            outbox,
            hasher,
            identity,
            // Classes readings already have count too: a class no longer configured still gets sealed.
            dataClasses: [...new Set([...dataClasses.all(), ...readings.storedDataClasses()])].sort((a, b) => a - b),
            bounds: deviceBounds,
            clock,
            ...config.batching,
            ...(sealScoring ? { scoring: sealScoring } : {}),
          }),
        ),
      (stopSealing) => stopSealing(),
    );
    parts.onStop(
      "rates",
      every(
        1_000,
        () => {
          ingestRate.observe(pipeline.counters.readingsAccepted, Date.now());
          drainRate.observe(uplink()?.status.readingsAcked ?? 0, Date.now());
        },
        (error) => logger.error({ err: error }, "measuring the ingest and drain rates failed"),
      ),
    );

    // Accepted frames and flows' write-backs are committed in groups; what is pending is committed at stop.
    parts.onStop("ingest commits", () => pipeline.flush());
    const derived = new DerivedStore({
      db,
      readings,
      clock,
      dataClasses,
      storage,
      groupCommitDelayMs: config.ingest.groupCommitDelayMs,
    });
    parts.onStop("write-back commits", () => derived.flush());

    const routes = new DeviceRoutes(transports);
    const commandKey = loadOrCreateCommandKey(config.dataDir);
    const commands = await parts.start(
      "commands",
      () =>
        new CommandService({
          db,
          key: commandKey,
          routes,
          logger: logger.child({ component: "commands" }),
          timeoutMs: config.commands.timeoutMs,
        }),
      (service) => service.close(),
    );
    // Commands people (over the API) and flows ask for: checked, signed, acknowledged, audited.
    const auditedCommands = new AuditedCommands({ sender: commands, registry: devices, audit });
    pipeline.on("stored", (frame) => {
      routes.noteFrom(frame.deviceId, frame.transport);
      if (frame.commandAck) commands.acknowledge(frame.deviceId, frame.commandAck);
    });
    const transportParts: Supervisor<FrameTransport>[] = [];
    for (const transport of transports) {
      const part = await subsystems.start<FrameTransport>(parts, transport.name, {
        start: async (failed) => {
          await transport.start(pipeline.handle, failed);
          return transport;
        },
        stop: (running) => running.stop(),
      });
      transportParts.push(part);
    }
    const mqttPort = mqtt instanceof EmbeddedMqttTransport ? mqtt.port : undefined;

    const snapshot = (): GatewaySnapshot =>
      takeSnapshot({
        gatewayId: identity.address,
        pipeline,
        admission,
        mqttRefusals: mqtt instanceof EmbeddedMqttTransport ? mqtt.refusals : undefined,
        serial,
        ble,
        readings,
        outbox,
        storage,
        ingestRate,
        drainRate,
        uplink: uplink(),
        proving,
        inference,
        subsystems,
      });

    const enrollment = { identity, management, audit, relayDir: join(config.dataDir, "relay") };
    const live = new LiveEvents(logger.child({ component: "live" }));
    const activity = new DeviceActivity({
      bounds: deviceBounds,
      isRegistered: (deviceId) => devices.get(deviceId) !== undefined,
    });
    pipeline.on("stored", activity.noteStored);
    pipeline.on("refused", activity.noteRefused);
    parts.onStop(
      "device rates",
      every(
        1_000,
        () => activity.sampleRates(Date.now()),
        (error) => logger.error({ err: error }, "measuring device rates failed"),
      ),
    );
    const lifecycle = new DeviceLifecycle({
      registry: devices,
      admission,
      activity,
      audit,
      live,
      onSettingsChanged: async (device, before) => {
        dataClasses.setDevice(device.deviceId, device.settings.dataClasses);
        inference.setThresholds(thresholdsWithDevices(config.inference.thresholds, devices.list()));
        // A new class needs the sealer to know it.
        if (JSON.stringify(before.dataClasses) !== JSON.stringify(device.settings.dataClasses)) await sealing.restart();
      },
    });
    const provisioning = new DeviceProvisioning({
      lifecycle,
      serial,
      configuredPorts: () => config.serial.ports,
      commandPublicKey: commandKey.publicKeyPoint,
      mqttPort: mqttPort ?? brokerPort(config.mqtt.broker?.url),
      logger: logger.child({ component: "provisioning" }),
    });
    const ruleAlerts = new RuleAlertFeed(logger.child({ component: "rule-alerts" }));
    const analytics = await parts.startRestartable(
      "analytics",
      () =>
        startAnalytics({
          config: config.analytics,
          db,
          gatewayId: identity.address,
          readings,
          derived,
          mqtt: mqtt instanceof ExternalMqttTransport ? mqtt : undefined,
          onAlertStored: (alert) => ruleAlerts.publish(alert),
          logger,
        }),
      (running) => running?.stop(),
    );
    const series = new SeriesQuery({
      db,
      rollups: new RollupStore(db),
      valuesCursor: () => analytics.current?.follower.valuesCursor() ?? 0,
    });
    await subsystems.start<() => Promise<void>>(parts, "live-stream", {
      start: (failed) =>
        startLiveSources({
          events: live,
          pipeline,
          anomalies,
          admission,
          outbox,
          derived,
          lastAnchored: () => uplink()?.status.lastAnchored,
          subsystems,
          logger,
          failed,
        }),
      stop: (stopSources) => stopSources(),
    });
    const http = await parts.start(
      "http",
      () =>
        startGatewayHttp({
          ...config.http,
          auth,
          audit,
          derived,
          gatewayId: identity.address,
          snapshot,
          metrics: metricsRegistry,
          models: () => inference.models,
          routes: [
            (api) =>
              configRoutes(api, management, (next) =>
                unknownRuleDevices(next.analytics.rules, (deviceId) => devices.get(deviceId) !== undefined),
              ),
            (api) => uplinkRoutes(api, enrollment),
            (api) => liveRoutes(api, live),
            (api) => deviceAdminRoutes(api, lifecycle),
            (api) => provisioningRoutes(api, provisioning),
            (api) => serialPortRoutes(api, provisioning),
            (api) => seriesRoutes(api, series),
            (api) => commandRoutes(api, auditedCommands),
            (api) =>
              proofRoutes(api, {
                db,
                gatewayId: identity.address,
                config: () => config,
                lastAnchored: () => uplink()?.status.lastAnchored,
              }),
          ],
          logger: logger.child({ component: "http" }),
        }),
      (server) => server.close(),
    );
    const announcer = await parts.startRestartable(
      "discovery",
      () =>
        config.discovery.enabled
          ? announceOnLan({
              name: config.discovery.name ?? `IntelLedger gateway ${identity.address.slice(0, 10)}`,
              gatewayId: identity.address,
              version: GATEWAY_VERSION,
              httpPort: http.port,
              logger: logger.child({ component: "discovery" }),
            })
          : undefined,
      (running) => running?.stop(),
    );
    const publicHost = ["0.0.0.0", "::"].includes(config.http.host) ? hostname() : config.http.host;
    auth.start(`http://${publicHost}:${http.port}/pair`);

    const readingFeed = await parts.start(
      "reading feed",
      () => new ReadingFeed({ readings, logger: logger.child({ component: "reading-feed" }) }),
      (feed) => feed.stop(),
    );
    const nodeRed = await subsystems.start<NodeRedHost>(parts, "node-red", {
      start: () =>
        config.http.nodeRed.enabled
          ? startNodeRed({
              http,
              userDir: join(config.dataDir, "node-red"),
              config: config.http.nodeRed,
              auth,
              audit,
              api: createFlowGatewayApi({
                gatewayId: identity.address,
                readingFeed,
                anomalies,
                commands: auditedCommands,
                derived,
                series,
                ruleAlerts,
                snapshot,
              }),
              logger: logger.child({ component: "node-red" }),
            })
          : undefined,
      stop: (host) => host.stop(),
      probe: (host) => nodeRedFailure(host.status()),
      report: (host) => nodeRedState(host.status()),
      // Flows are an add-on to ingest, never a reason for it to stop: a failed start is retried, then left degraded.
      optional: true,
    });

    logger.info(
      {
        gatewayId: identity.address,
        mqtt: config.mqtt.broker?.url ?? `embedded on port ${mqttPort}`,
        httpPort: http.port,
        relay: config.relay?.address,
      },
      "gateway started",
    );

    const service: Omit<Gateway, "management" | "health"> = {
      id: identity.address,
      mqttPort,
      httpPort: http.port,
      httpServer: http.server,
      get pairingCode() {
        return auth.pairingCode;
      },
      get nodeRedRunning() {
        return ["running", "safe-mode"].includes(nodeRed.current?.status().state ?? "stopped");
      },
      commandPublicKey: commandKey.publicKeyPoint,
      devices,
      readings,
      batches: outbox,
      auth,
      audit,
      derived,
      anomalies,
      models: inference.models,
      get analytics() {
        return analytics.current;
      },
      metrics: metricsRegistry,
      enrollWithRelay: (request, actor) => enrollGateway(enrollment, actor, request),
      sendCommand: (deviceId, action) => commands.send(deviceId, action),
      snapshot,
      async stop() {
        await parts.stop();
        logger.info("gateway stopped");
      },
    };
    let stopped = false;
    return {
      service,
      audit,
      ports: { http: http.port, mqtt: mqttPort },
      health: () => ({
        // Ingest goes on while any transport runs; one being restarted or degraded shows in the status.
        ingestRunning:
          !stopped && (transportParts.length === 0 || transportParts.some((part) => part.status().current.state === "running")),
        databaseWritable: !stopped && databaseWritable(db),
        uplink: uplink()?.status.state,
        uplinkError: uplink()?.status.lastError,
      }),
      async applyLive(next, changed) {
        config = next;
        if (changed.has("admission")) admission.reconfigure(next.ingest.admission);
        if (changed.has("storage")) {
          storage.reconfigure({
            quotaBytes: next.storage.quotaBytes,
            minFreeDiskBytes: next.storage.minFreeDiskBytes,
            policy: next.storage.policy,
            retainAckedMs: next.storage.retainAckedDays * 86_400_000,
          });
        }
        if (changed.has("thresholds")) inference.setThresholds(thresholdsWithDevices(next.inference.thresholds, devices.list()));
        if (changed.has("sealing")) await sealing.restart();
        if (changed.has("uplink")) await uplinkPart.restart();
        if (changed.has("node-red")) await nodeRed.restart({ supervised: true });
        if (changed.has("discovery")) await announcer.restart();
        if (changed.has("analytics")) await analytics.restart();
      },
      async stop() {
        stopped = true;
        await service.stop();
      },
    };
  });
}

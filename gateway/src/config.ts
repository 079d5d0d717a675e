import { BATCH_CAPACITY } from "@intelledger/circuits";
import { parseOrThrow } from "@intelledger/service-kit";
import { z } from "zod";
import { alertRulesSchema } from "./analytics/alert-rule-schema.js";
import { GatewayConfigError } from "./errors.js";
import { DEFAULT_MODEL, SHIPPED_MODELS_DIR } from "./inference/model-folder.js";

const portSchema = z.number().int().min(0).max(65_535);

const externalBrokerSchema = z.strictObject({
  /** mqtt://host:port or mqtts://host:port */
  url: z.string().regex(/^mqtts?:\/\/[^\s]+$/, "must be mqtt://host:port or mqtts://host:port"),
  /** Session id on the broker; the same id across restarts keeps frames queued while the gateway is down. */
  clientId: z.string().min(1).optional(),
  username: z.string().optional(),
  /** File holding the password (kept out of the configuration). */
  passwordFile: z.string().optional(),
  caFile: z.string().optional(),
  certFile: z.string().optional(),
  keyFile: z.string().optional(),
  retryAfterRefusalMs: z.number().int().min(10).default(2_000),
});

const mqttSchema = z.strictObject({
  /** Use this broker instead of the embedded one. */
  broker: externalBrokerSchema.optional(),
  /**
   * Lets clients on the embedded broker without a login publish frames under any device id
   * (never commands, never $SYS). Off: every device logs in with the credentials the gateway
   * issued it. For a bench or a closed test network only.
   */
  allowAnonymous: z.boolean().default(false),
  host: z.string().default("0.0.0.0"),
  /** 0 picks a free port. */
  port: portSchema.default(1883),
  /**
   * When the configured port is taken (another broker on the machine), listen on a free
   * port instead and report it, rather than refusing to start.
   */
  fallbackToFreePort: z.boolean().default(true),
});

const batchingSchema = z.strictObject({
  /** A batch also ends where one proof does (see batchablePrefix), so more than BATCH_CAPACITY never fills. */
  maxReadings: z.number().int().min(1).max(65_536).default(BATCH_CAPACITY),
  maxAgeMs: z.number().int().min(10).default(2_000),
});

const ingestSchema = z.strictObject({
  /** Accepted frames wait at most this long to be committed together. */
  groupCommitDelayMs: z.number().int().min(0).max(1_000).default(2),
  maxFrameBytes: z.number().int().min(64).max(65_536).default(512),
  /**
   * How far above a device's last accepted counter a frame's counter may be (reboots skip
   * at most a counter block; frames lost on the way are far fewer). A frame further ahead
   * is refused (counter_jump); a technician resets the counter to recover a device on purpose.
   */
  maxCounterJump: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).default(1_000_000),
  /** Refusals are logged once per device (or address) and reason within this interval. */
  refusalLogIntervalMs: z.number().int().min(0).default(60_000),
  admission: z
    .object({
      /** Sustained frames per second one device may send (a reference node sends one). */
      framesPerSecond: z.number().positive().default(20),
      burst: z.number().int().min(1).default(40),
      /** Failed frames (bad signatures, bad samples, over the rate) within the window that quarantine a device. */
      maxFailures: z.number().int().min(1).default(20),
      failureWindowMs: z.number().int().min(1).default(60_000),
      quarantineMs: z.number().int().min(1).default(300_000),
    })
    .prefault({}),
});

const serialSchema = z.strictObject({
  /**
   * Serial ports devices are plugged into: device paths, or "auto" for every USB serial
   * adapter (/dev/serial/by-id, /dev/ttyUSB*, /dev/ttyACM*). A port that disappears is
   * reopened when it comes back.
   */
  ports: z.array(z.string().min(1)).default([]),
  baudRate: z.number().int().positive().default(115_200),
  rescanIntervalMs: z.number().int().min(50).default(1_000),
});

const bleSchema = z.strictObject({
  /** Connect to devices advertising the IntelLedger GATT service, through BlueZ. */
  enabled: z.boolean().default(false),
  /** The BlueZ adapter to use. */
  adapter: z.string().default("hci0"),
});

const provingSchema = z.strictObject({
  /** Prove every sealed batch's claims (Groth16) and upload the proofs after the batches. */
  enabled: z.boolean().default(true),
  /** Provers running at once. */
  provers: z.number().int().min(1).max(8).default(1),
  /**
   * "process": provers run as child processes at lower CPU priority, so proving only takes
   * the CPU ingest leaves and its memory stays out of the gateway's process; "thread": worker
   * threads of the gateway process.
   */
  isolation: z.enum(["process", "thread"]).default("process"),
  /** Batches waiting for a free prover; beyond that they wait in the database. */
  maxQueued: z.number().int().min(0).default(2),
});

const commandsSchema = z.strictObject({
  /** How long a device has to acknowledge a command. */
  timeoutMs: z.number().int().min(100).default(10_000),
});

const relaySchema = z.strictObject({
  /** host:port of the relay's gRPC endpoint. */
  address: z.string().regex(/^[^\s:]+:\d+$/, "must be host:port"),
  /** Name the relay's certificate is checked against, when it differs from the host. */
  serverName: z.string().optional(),
  caCertFile: z.string(),
  certFile: z.string(),
  keyFile: z.string(),
  heartbeatIntervalMs: z.number().int().min(100).default(10_000),
  /** How often to ask the relay for the deployment (desired configuration) meant for this gateway. */
  deploymentPollMs: z.number().int().min(100).default(30_000),
  reconnect: z
    .object({ initialDelayMs: z.number().int().min(1).default(500), maxDelayMs: z.number().int().min(1).default(30_000) })
    .prefault({}),
});

/** The chain the relay anchors on, for checking receipts (POST /api/receipts/:gatewaySeq/verify). */
const chainSchema = z.strictObject({
  /** A JSON-RPC endpoint of the chain; the console offers it as the default and may name another. */
  rpcUrl: z
    .string()
    .url("must be a URL such as https://rpc.example.org")
    .refine((url) => /^https?:\/\//.test(url), "must start with http:// or https://"),
  /** The published deployment (deploy-cli's JSON: chainId, dataAnchor, registry, batchVerifier, disclosureVerifier, blockNumber). */
  deploymentFile: z.string().min(1),
  /** Blocks, the anchor's own included, that must hold an anchor before it counts. */
  minConfirmations: z.number().int().min(1).default(1),
  /** Whether proofs under the committed development verification key pass (test and demo chains only). */
  allowDevelopmentKey: z.boolean().default(false),
});

const channelNames = ["temperature", "humidity", "vibration", "analog"] as const;

const thresholdSchema = z.number().positive();
const channelThresholdsSchema = z.partialRecord(z.enum(channelNames), thresholdSchema);

const inferenceSchema = z.strictObject({
  /** Score every reading for anomalies; when off, readings are sealed as not anomalous. */
  enabled: z.boolean().default(true),
  /** Holds <model>/<version>/{model.onnx, manifest.json}; the models shipped with the gateway by default. */
  modelsDir: z.string().min(1).default(SHIPPED_MODELS_DIR),
  /** The model to run; its highest version is loaded. */
  model: z.string().min(1).default(DEFAULT_MODEL),
  /** Readings scored per model call. */
  batchSize: z.number().int().min(1).max(4_096).default(256),
  /** How often to look for new readings when the scorer has caught up. */
  idleMs: z.number().int().min(1).max(10_000).default(50),
  /** How often to look for a higher version in the models folder (hot swap); 0 turns it off. */
  watchIntervalMs: z.number().int().min(0).default(5_000),
  /** A reading still unscored this long after it arrived is sealed as not anomalous (recorded as a scoring timeout). */
  sealTimeoutMs: z.number().int().min(100).default(30_000),
  /** Readings replayed into channel windows after a restart. */
  historyReadings: z.number().int().min(0).default(50_000),
  /** Set here, a threshold replaces the channel's own (learned per channel, or the manifest's for a model without calibration). */
  thresholds: z
    .object({
      channels: channelThresholdsSchema.default({}),
      devices: z
        .record(
          z.string(),
          z.strictObject({ default: thresholdSchema.optional(), channels: channelThresholdsSchema.default({}) }),
        )
        .default({}),
    })
    .prefault({}),
});

const storageSchema = z.strictObject({
  /** The database may grow to this many bytes (default 4 GiB). */
  quotaBytes: z
    .number()
    .int()
    .min(1_048_576)
    .default(4 * 1024 ** 3),
  /**
   * New frames are refused while the filesystem holding the database has less free than this
   * (default 32 MiB), and as soon as a write finds it full, until a check finds room again.
   */
  minFreeDiskBytes: z
    .number()
    .int()
    .min(0)
    .default(32 * 1024 ** 2),
  /** What gives when the quota is reached and the relay's copies are already freed. */
  policy: z.enum(["backpressure", "rollup", "drop-lowest-class"]).default("backpressure"),
  /** Readings the relay acknowledged stay available locally this long. */
  retainAckedDays: z.number().min(0).default(7),
  /** Importance of each channel's readings; the lowest class is dropped first. */
  dataClasses: z.partialRecord(z.enum(channelNames), z.number().int().min(0).max(15)).default({}),
  checkIntervalMs: z.number().int().min(50).default(5_000),
});

const httpSchema = z.strictObject({
  host: z.string().default("0.0.0.0"),
  /** 0 picks a free port. */
  port: portSchema.default(8080),
  /** As for MQTT: a taken port moves the server to a free one, which is logged. */
  fallbackToFreePort: z.boolean().default(true),
  /** A browser session ends this long after login. */
  sessionTtlMinutes: z
    .number()
    .int()
    .min(5)
    .max(7 * 24 * 60)
    .default(12 * 60),
  /**
   * Names browsers may use for the gateway besides loopback, the machine's host name (also
   * .local) and its addresses: a DNS name, or the name of a proxy in front. Requests naming
   * anything else are refused (DNS rebinding).
   */
  allowedHosts: z.array(z.string().min(1)).default([]),
  /** A build of the desktop console's renderer (desktop-console/dist/renderer), served at /console for a browser. */
  consoleDir: z.string().min(1).optional(),
  nodeRed: z
    .object({
      /** Node-RED and its editor, under /flows, in a process of its own. Off unless asked for. */
      enabled: z.boolean().default(false),
      /** Deployed flows kept as backups, newest first. */
      keepBackups: z.number().int().min(1).max(10_000).default(50),
      /**
       * The system user Node-RED runs as, which must not be root. Switching takes root or
       * CAP_SETUID and CAP_SETGID; a gateway running as root uses `nobody` when this is unset.
       */
      user: z.string().min(1).optional(),
      /** Let flows listen for network connections (tcp in, udp in, websocket listeners). */
      allowListeningNodes: z.boolean().default(false),
      /** Node-RED whose event loop has not turned for this long is killed and started again. */
      heartbeatTimeoutMs: z.number().int().min(1_000).max(60_000).default(3_000),
      /** Crashes of the same flows within ten minutes after which they start stopped (safe mode). */
      safeModeAfterCrashes: z.number().int().min(1).max(100).default(3),
      /** V8 heap limit of the Node-RED process; a flow that needs more crashes it. */
      maxHeapMb: z.number().int().min(64).max(4_096).default(256),
      limits: z
        .object({
          /** Derived readings and alerts flows may write per second (twice as many at once). */
          writesPerSecond: z.number().int().min(1).default(200),
          /** Writes waiting to be durable, beyond which flows' writes are refused. */
          maxPendingWrites: z.number().int().min(1).default(1_000),
          /** Device commands flows may send per minute, all devices together. */
          commandsPerMinute: z.number().int().min(1).default(60),
        })
        .prefault({}),
    })
    .prefault({}),
});

const discoverySchema = z.strictObject({
  /** Announce the gateway on the LAN by DNS-SD (`_intelledger._tcp`), so the console finds it. */
  enabled: z.boolean().default(true),
  /** The instance name shown to browsers; `IntelLedger gateway <address prefix>` by default. */
  name: z.string().min(1).max(63).optional(),
});

const analyticsSchema = z.strictObject({
  /** Keep rollups and evaluate alert rules, following the readings as they become durable. */
  enabled: z.boolean().default(true),
  /**
   * A reading sampled this long before its stream's newest sample still counts as on time
   * (a device buffering through an outage sends old samples); one older still updates its
   * rollups and is counted there as late, and alert rules on values skip it.
   */
  allowedLatenessMs: z
    .number()
    .int()
    .min(0)
    .max(30 * 86_400_000)
    .default(300_000),
  /** How often new readings are taken into rollups and rules. */
  intervalMs: z.number().int().min(10).max(10_000).default(100),
  /** How long each rollup resolution is kept; raw readings follow storage.retainAckedDays once the relay holds them. */
  retention: z
    .strictObject({
      minuteDays: z.number().min(1).max(36_500).default(90),
      hourDays: z.number().min(1).max(36_500).default(1_825),
    })
    .prefault({}),
  /** Alert rules (see docs/analytics.md); each firing and resolution is an anchored alert reading. */
  rules: alertRulesSchema.default([]),
  alerts: z
    .strictObject({
      /**
       * Alerts are published here (QoS 1) on the external broker the gateway uses (mqtt.broker);
       * empty: not published. The embedded broker lets devices only, so it does not carry them.
       */
      mqttTopic: z
        .string()
        .max(200)
        .regex(/^[^#+]*$/, "a topic to publish on, without wildcards")
        .default("intelledger/v1/alerts"),
      /** Each alert is POSTed here as JSON, retried with backoff until it is answered 2xx or attempts run out. */
      webhook: z
        .strictObject({
          url: z.url({ protocol: /^https?$/ }),
          maxAttempts: z.number().int().min(1).max(100).default(8),
          timeoutMs: z.number().int().min(100).max(60_000).default(5_000),
        })
        .optional(),
    })
    .prefault({}),
});

/** How the gateway restarts a subsystem that fails (see docs/appliance.md, Healing). */
const supervisionSchema = z.strictObject({
  /** Wait before the first restart; doubles with each failure in a row, up to maxDelayMs. */
  initialDelayMs: z.number().int().min(10).max(600_000).default(1_000),
  maxDelayMs: z.number().int().min(10).max(3_600_000).default(60_000),
  /** Failed restarts in a row before the subsystem is left degraded (the gateway runs without it). */
  maxAttempts: z.number().int().min(1).max(1_000).default(6),
  /** A subsystem that ran this long without failing counts its failures afresh. */
  stableAfterMs: z.number().int().min(100).default(300_000),
  /** How often a degraded subsystem is tried again. */
  degradedRetryMs: z.number().int().min(100).default(600_000),
  /** How often running subsystems are checked for a wedge (an uplink the relay stopped answering). */
  probeIntervalMs: z.number().int().min(10).max(600_000).default(5_000),
  /** An uplink connected to the relay that has had no answer for this long is restarted on a new connection. */
  uplinkStallMs: z.number().int().min(100).default(90_000),
});

const configApplySchema = z.strictObject({
  /** After an apply the gateway watches its health this long, and rolls back by itself if it fails. */
  watchMs: z.number().int().min(1_000).max(600_000).default(30_000),
  /** If the uplink was up before an apply, it must be up again within this time. */
  uplinkWithinMs: z.number().int().min(500).max(600_000).default(20_000),
});

export const gatewayConfigSchema = z.strictObject({
  /** Holds the database, the gateway's key and its logs. */
  dataDir: z.string().min(1),
  mqtt: mqttSchema.prefault({}),
  ingest: ingestSchema.prefault({}),
  serial: serialSchema.prefault({}),
  ble: bleSchema.prefault({}),
  commands: commandsSchema.prefault({}),
  proving: provingSchema.prefault({}),
  batching: batchingSchema.prefault({}),
  storage: storageSchema.prefault({}),
  inference: inferenceSchema.prefault({}),
  /** The admin API, the login pages and, when enabled, the Node-RED editor. */
  http: httpSchema.prefault({}),
  /** Without a relay the gateway keeps buffering until one is configured. */
  relay: relaySchema.optional(),
  chain: chainSchema.optional(),
  discovery: discoverySchema.prefault({}),
  /** Rollups, alert rules and their retention. */
  analytics: analyticsSchema.prefault({}),
  /** How an applied configuration is watched (see gateway/README.md, Configuration). */
  configApply: configApplySchema.prefault({}),
  supervision: supervisionSchema.prefault({}),
});

export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;
export type GatewayConfigInput = z.input<typeof gatewayConfigSchema>;

/**
 * A configuration written for an earlier version, without the fields this one no longer
 * reads, so that configuration files and stored revisions from before still load:
 * `relay.api` (receipts now come over the relay's own channel, ReceiptService).
 */
export function withoutRetiredFields(input: unknown): unknown {
  if (typeof input !== "object" || input === null || !("relay" in input)) return input;
  const { relay } = input;
  if (typeof relay !== "object" || relay === null || !("api" in relay)) return input;
  const current: Record<string, unknown> = { ...relay };
  delete current["api"];
  return { ...input, relay: current };
}

/** Parses the configuration once at start-up; the error names every field that is wrong. */
export function parseGatewayConfig(input: unknown): GatewayConfig {
  return parseOrThrow(
    gatewayConfigSchema,
    withoutRetiredFields(input),
    (problems) => new GatewayConfigError(`invalid gateway configuration:\n${problems}`),
  );
}

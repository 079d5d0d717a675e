import { BATCH_CAPACITY } from "@intelledger/circuits";
import { parseOrThrow } from "@intelledger/service-kit";
import { z } from "zod";
import { RelayConfigError } from "./errors.js";

const hexKey = z.string().regex(/^0x[0-9a-fA-F]{64}$/, "must be a 0x-prefixed 32-byte hex private key");
const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "must be a 0x-prefixed 20-byte address");

/** A gateway's upload rate: batches per second (fractions allowed), and how many it may send at once. */
export const rateLimitSchema = z.object({
  batchesPerSecond: z.number().positive().max(100_000),
  burst: z.number().int().min(1).max(100_000),
});

export const relayConfigSchema = z.object({
  /** Holds the relay's SQLite database (when no database.url is set), its API token and enrollment tokens. */
  dataDir: z.string().min(1),
  database: z
    .object({
      /**
       * Unset: SQLite in <dataDir>/relay.sqlite, for one relay. postgres://user@host:port/database:
       * PostgreSQL, which several replicas share. Put no password in it: see passwordFile.
       */
      url: z
        .string()
        .regex(/^postgres(ql)?:\/\/[^:@/]*@?[^@]*$/, "must be postgres://user@host:port/database, without a password")
        .optional(),
      /** File holding the PostgreSQL password; without it, node-postgres reads PGPASSWORD or ~/.pgpass. */
      passwordFile: z.string().optional(),
      /** Connections one replica opens at most. */
      poolSize: z.number().int().min(1).max(200).default(10),
    })
    .prefault({}),
  listen: z
    .object({ host: z.string().default("0.0.0.0"), port: z.number().int().min(0).max(65_535).default(50_051) })
    .prefault({}),
  tls: z.object({ caCertFile: z.string(), certFile: z.string(), keyFile: z.string() }),
  chain: z.object({
    rpcUrl: z.url(),
    anchorContract: address,
    /**
     * Key of the account allowed to anchor (the contract's anchorer). In production, leave it
     * out of this file: name a file holding it (anchorerPrivateKeyFile, mode 0600) or set
     * RELAY_ANCHORER_PRIVATE_KEY in the relay's environment.
     */
    anchorerPrivateKey: hexKey.optional(),
    anchorerPrivateKeyFile: z.string().optional(),
    confirmations: z.number().int().min(1).default(1),
    /** An anchoring transaction unmined this long is replaced with higher fees. */
    replaceAfterMs: z.number().int().min(100).default(60_000),
    /** Confirmed anchors within this many blocks of the head are watched for reorganisations. */
    reorgDepth: z.number().int().min(0).default(12),
    /** How often a sent anchoring transaction is checked until it is confirmed. */
    receiptPollMs: z.number().int().min(50).default(500),
  }),
  anchoring: z
    .object({
      /** Every interval, all batches stored since the last anchor fold into one root and one transaction. */
      intervalMs: z.number().int().min(100).default(5_000),
      maxBatchesPerAnchor: z.number().int().min(1).default(100_000),
      /** How often a replica that does not anchor tries to take the lead (PostgreSQL: the leader's death frees it at once). */
      leaderPollMs: z.number().int().min(50).default(1_000),
      /**
       * Anchor each batch whose proof verified as a root of its own with the proof checked on chain,
       * several per transaction (DataAnchor.anchorVerifiedBatches), instead of folding it into the interval's root.
       */
      onChainVerification: z
        .object({
          enabled: z.boolean().default(false),
          /** Proofs one transaction checks together: 16 full batches cost about 295 gas a reading, one alone 930. */
          batchesPerTransaction: z.number().int().min(1).max(64).default(16),
          /** A batch whose proof has not come this long after the batch is anchored without it. */
          proofWaitMs: z.number().int().min(0).default(60_000),
        })
        .prefault({}),
    })
    .prefault({}),
  /**
   * HTTP API: GET /healthz and /readyz open; with the bearer token GET /metrics (Prometheus),
   * receipts, the fleet and its operations (docs/relay-operations.md lists every request).
   */
  api: z
    .object({
      host: z.string().default("127.0.0.1"),
      port: z.number().int().min(0).max(65_535).default(9464),
      /** File holding the bearer token; created with a random token if absent. Defaults to <dataDir>/api.token. */
      tokenFile: z.string().optional(),
    })
    .prefault({}),
  /**
   * Where gateways enroll (HTTPS, with the relay's server certificate): a one-time token
   * and a certificate request in, a client certificate signed by the relay's CA out.
   */
  enrollment: z
    .object({
      host: z.string().default("0.0.0.0"),
      port: z.number().int().min(0).max(65_535).default(50_052),
      /** The CA's private key, to sign gateways' certificates (keep it 0600). */
      caKeyFile: z.string(),
      /** How long a token from `relay enrollment-token` or the API stays valid. */
      tokenTtlMinutes: z
        .number()
        .int()
        .min(1)
        .max(7 * 24 * 60)
        .default(60),
      certificateValidDays: z.number().int().min(1).max(3650).default(825),
    })
    .optional(),
  upload: z
    .object({
      /** Batches one gateway may have in flight at most. */
      maxInFlight: z.number().int().min(1).max(1024).default(32),
      /** Batches in flight across all gateways; each open stream gets an equal share. */
      totalInFlight: z.number().int().min(1).default(256),
      /**
       * Readings a batch may hold; a batch commitment holds at most 372. The gRPC receive
       * limit follows from it (see grpc/message-bounds.ts): 146 KiB for 372.
       */
      maxReadingsPerBatch: z.number().int().min(1).max(BATCH_CAPACITY).default(BATCH_CAPACITY),
      /**
       * Readings below a gateway's highest gateway_seq that its batches may leave unaccounted
       * for: those of other data classes, which it seals separately, not yet sealed. A gateway
       * seals a class once it holds a full batch, so each other class holds less than one;
       * the default allows two such classes at full batches. Gateways with more data classes
       * filling at once need more. A batch that leaves more is refused (gateway_seq_gap).
       */
      maxUnaccountedReadings: z
        .number()
        .int()
        .min(0)
        .default(2 * BATCH_CAPACITY),
      /** Worker threads recomputing readings roots and verifying proofs; one per core by default. */
      hashThreads: z.number().int().min(1).optional(),
      /**
       * HTTP/2 receive window of each upload stream (a connection gets twice it): what a gateway
       * may send before the relay acknowledges reading it. A gateway behind a round trip of
       * R seconds uploads at most this much per R; the default carries about 1 MiB per round
       * trip (some 11,000 readings), a relay with many gateways on fast links may want less.
       */
      receiveWindowBytes: z
        .number()
        .int()
        .min(65_535)
        .max(2 ** 28)
        .default(1_048_576),
    })
    .prefault({}),
  registration: z
    .object({
      /** How far a registration's timestamp may be from the relay's clock, either way (it makes a signed registration expire). */
      timestampWindowMs: z
        .number()
        .int()
        .min(1_000)
        .default(15 * 60_000),
    })
    .prefault({}),
  /** When the fleet view calls a gateway offline or lagging. */
  fleet: z
    .object({
      offlineAfterMs: z
        .number()
        .int()
        .min(1_000)
        .default(5 * 60_000),
      laggingBacklogBatches: z.number().int().min(0).default(100),
      /**
       * Batches per second each gateway may upload to one replica, with the burst it may send
       * at once; a gateway's own limit (set through the API) overrides it. Unset: no limit.
       */
      rateLimit: rateLimitSchema.optional(),
      /**
       * How often a replica reads every gateway's revocation, allowlist and rate limit again,
       * for the batches of upload streams already open (a call's start reads them fresh).
       */
      accessRefreshMs: z.number().int().min(100).default(1_000),
    })
    .prefault({}),
  /** OpenTelemetry traces of uploads through verification and storage to the anchor; off unless an endpoint is set. */
  telemetry: z
    .object({
      /** OTLP/HTTP base URL (traces go to <url>/v1/traces); OTEL_EXPORTER_OTLP_ENDPOINT in the environment does the same. */
      otlpEndpoint: z.url().optional(),
      /** service.name on every span (OTEL_SERVICE_NAME overrides it). */
      serviceName: z.string().min(1).default("intelledger-relay"),
    })
    .prefault({}),
  /** A refused call is logged once per gateway, call and reason per interval (all are counted). */
  refusalLog: z.object({ intervalMs: z.number().int().min(0).default(60_000) }).prefault({}),
});

export type RelayConfig = z.infer<typeof relayConfigSchema>;
export type RelayConfigInput = z.input<typeof relayConfigSchema>;

/** Parses the configuration once at start-up; the error names every field that is wrong. */
export function parseRelayConfig(input: unknown): RelayConfig {
  return parseOrThrow(relayConfigSchema, input, (problems) => new RelayConfigError(`invalid relay configuration:\n${problems}`));
}

import { join } from "node:path";
import { loadPoseidon } from "@intelledger/circuits";
import { FetchRequest, JsonRpcProvider, Wallet } from "ethers";
import type { Logger } from "pino";
import { AnchorService } from "./anchoring/anchor-service.js";
import type { RelayConfig } from "./config.js";
import { createGatewayRelayService, type UploadCounters } from "./grpc/gateway-relay-service.js";
import { loadOrCreateApiToken } from "./api/api-token.js";
import { startRelayApi } from "./api/relay-api.js";
import { ReceiptBuilder } from "./receipts/receipt-builder.js";
import { createRelayMetrics } from "./metrics/relay-metrics.js";
import { WindowedRate } from "./metrics/windowed-rate.js";
import { startRelayServer } from "./grpc/relay-server.js";
import { UploadFlowControl } from "./grpc/upload-flow-control.js";
import { AnchorLedger } from "./store/anchor-ledger.js";
import { BatchLedger } from "./store/batch-ledger.js";
import { GatewayBoots } from "./store/gateway-boots.js";
import { ProofLedger } from "./store/proof-ledger.js";
import { openRelayDatabase } from "./store/relay-database.js";
import { BatchVerifier } from "./verification/batch-verifier.js";
import { VerificationPool } from "./verification/verification-pool.js";

export interface RelaySnapshot {
  uploads: UploadCounters;
  openUploadStreams: number;
  stored: ReturnType<BatchLedger["totals"]>;
  anchored: ReturnType<AnchorLedger["totals"]>;
  gatewayBacklogReadings: number;
  drainReadingsPerSecond: number;
}

export interface Relay {
  readonly port: number;
  /** The HTTP API: health, metrics and receipts. */
  readonly apiPort: number;
  readonly batches: BatchLedger;
  readonly anchors: AnchorLedger;
  readonly boots: GatewayBoots;
  readonly proofs: ProofLedger;
  snapshot(): RelaySnapshot;
  stop(): Promise<void>;
}

/** Starts the relay: its database, the mutual-TLS gRPC endpoint for gateways, and anchoring. */
export async function startRelay(config: RelayConfig, logger: Logger): Promise<Relay> {
  const db = openRelayDatabase(join(config.dataDir, "relay.sqlite"));
  const hasher = await loadPoseidon();
  const batches = new BatchLedger(db);
  const anchors = new AnchorLedger(db);
  const boots = new GatewayBoots(db);
  const proofs = new ProofLedger(db);
  const counters: UploadCounters = {
    batchesStored: 0,
    readingsStored: 0,
    duplicatesAcked: 0,
    gapsRecorded: 0,
    rejected: 0,
    proofsVerified: 0,
    proofsInvalid: 0,
  };
  const verification = new VerificationPool(
    config.upload.hashThreads === undefined ? {} : { threads: config.upload.hashThreads },
  );
  const flowControl = new UploadFlowControl({
    totalInFlight: config.upload.totalInFlight,
    maxPerStream: config.upload.maxInFlight,
  });

  // A chain endpoint that stops answering must fail the round, not stall anchoring forever.
  const rpc = new FetchRequest(config.chain.rpcUrl);
  rpc.timeout = 15_000;
  const provider = new JsonRpcProvider(rpc, undefined, { staticNetwork: true });
  const anchoring = new AnchorService({
    anchors,
    hasher,
    signer: new Wallet(config.chain.anchorerPrivateKey, provider),
    contractAddress: config.chain.anchorContract,
    confirmations: config.chain.confirmations,
    replaceAfterMs: config.chain.replaceAfterMs,
    reorgDepth: config.chain.reorgDepth,
    intervalMs: config.anchoring.intervalMs,
    receiptPollMs: config.chain.receiptPollMs,
    maxBatchesPerAnchor: config.anchoring.maxBatchesPerAnchor,
    logger: logger.child({ component: "anchoring" }),
  });

  const server = await startRelayServer({
    ...config.listen,
    tls: config.tls,
    service: createGatewayRelayService({
      ledger: batches,
      proofs,
      boots,
      verifier: new BatchVerifier({ maxReadingsPerBatch: config.upload.maxReadingsPerBatch }),
      verification,
      flowControl,
      logger: logger.child({ component: "grpc" }),
      counters,
    }),
  });
  anchoring.start();

  const drainRate = new WindowedRate();
  const drainTimer = setInterval(() => drainRate.sample(counters.readingsStored, Date.now()), 1_000);
  const snapshot = (): RelaySnapshot => ({
    uploads: { ...counters },
    openUploadStreams: flowControl.openStreams,
    stored: batches.totals(),
    anchored: anchors.totals(),
    gatewayBacklogReadings: batches.reportedBacklogReadings(),
    drainReadingsPerSecond: drainRate.perSecond,
  });
  const receipts = new ReceiptBuilder({
    batches,
    anchors,
    proofs,
    hasher,
    contract: config.chain.anchorContract,
    chainId: Number((await provider.getNetwork()).chainId),
  });
  const api = await startRelayApi({
    host: config.api.host,
    port: config.api.port,
    token: loadOrCreateApiToken(config.api.tokenFile ?? join(config.dataDir, "api.token")),
    registry: createRelayMetrics(snapshot),
    receipt: (gatewayId, gatewaySeq) => receipts.build(gatewayId, gatewaySeq),
  });
  logger.info(
    { port: server.port, apiPort: api.port, chain: config.chain.rpcUrl, contract: config.chain.anchorContract },
    "relay started",
  );

  return {
    port: server.port,
    batches,
    anchors,
    boots,
    proofs,
    apiPort: api.port,
    snapshot,
    async stop() {
      clearInterval(drainTimer);
      await api.close();
      await server.stop();
      await anchoring.stop();
      await verification.close();
      provider.destroy();
      db.close();
      logger.info("relay stopped");
    },
  };
}

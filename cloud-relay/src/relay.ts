import { hostname } from "node:os";
import { join } from "node:path";
import { compilePoseidon, loadPoseidon } from "@intelledger/circuits";
import { every, RateEstimator, startService } from "@intelledger/service-kit";
import { FetchRequest, JsonRpcProvider, Wallet } from "ethers";
import type { Logger } from "pino";
import { AnchorService } from "./anchoring/anchor-service.js";
import { VerifiedAnchoring } from "./anchoring/verified-anchoring.js";
import { anchorerKey } from "./anchorer-key.js";
import type { RelayConfig } from "./config.js";
import { GatewayGate } from "./fleet/gateway-gate.js";
import { createGatewayRelayService } from "./grpc/gateway-relay-service.js";
import { GatewayChains } from "./grpc/gateway-chain.js";
import { maxReceiveMessageBytes } from "./grpc/message-bounds.js";
import { RefusalRecorder } from "./grpc/refusal-recorder.js";
import { newUploadCounters } from "./grpc/upload-counters.js";
import { loadOrCreateApiToken } from "./api/api-token.js";
import { fleetRoutes } from "./api/fleet-routes.js";
import { startRelayApi } from "./api/relay-api.js";
import { RelayHealth } from "./api/relay-health.js";
import type { RelaySnapshot } from "./relay-snapshot.js";
import { DisclosureProver } from "./receipts/disclosure-prover.js";
import { ReceiptBuilder } from "./receipts/receipt-builder.js";
import { createReceiptService } from "./receipts/receipt-service.js";
import { createRelayMetrics } from "./metrics/relay-metrics.js";
import { OperationsMetrics } from "./metrics/operations-metrics.js";
import { startTracing } from "./telemetry/start-tracing.js";
import { startRelayServer } from "./grpc/relay-server.js";
import { UploadFlowControl } from "./grpc/upload-flow-control.js";
import type { AnchorLedger } from "./store/anchor-ledger.js";
import type { BatchLedger } from "./store/batch-ledger.js";
import type { FleetView } from "./store/fleet-view.js";
import type { GatewayBoots } from "./store/gateway-boots.js";
import type { ProofLedger } from "./store/proof-ledger.js";
import { openRelayStore } from "./store/relay-store.js";
import { BatchVerifier } from "./verification/batch-verifier.js";
import { VerificationPool } from "./verification/verification-pool.js";
import { startEnrollment, type RelayEnrollment } from "./enrollment/start-enrollment.js";
import { DeploymentServiceService, ReceiptServiceService } from "@intelledger/proto/relay";
import type { DeploymentStore } from "./deployments/deployment-store.js";
import { startDeployments } from "./deployments/start-deployments.js";

export interface Relay {
  readonly port: number;
  /** The HTTP API: health, metrics and receipts. */
  readonly apiPort: number;
  readonly batches: BatchLedger;
  readonly anchors: AnchorLedger;
  readonly boots: GatewayBoots;
  readonly proofs: ProofLedger;
  readonly fleet: FleetView;
  /** Gateway enrollment; undefined unless configured. */
  readonly enrollment: RelayEnrollment | undefined;
  /** Desired configurations for gateways (needs the CA key, as enrollment does); undefined without it. */
  readonly deployments: DeploymentStore | undefined;
  /** The relay's state, its stored totals and fleet read from the database now. */
  snapshot(): Promise<RelaySnapshot>;
  stop(): Promise<void>;
}

/**
 * Starts the relay: its database, the mutual-TLS gRPC endpoint for gateways, anchoring and
 * the HTTP API. Parts start in the order below and stop in reverse; a part that fails to
 * start stops the ones before it.
 */
export async function startRelay(config: RelayConfig, logger: Logger): Promise<Relay> {
  return startService(logger, async (parts) => {
    const store = await parts.start(
      "database",
      () => openRelayStore(config),
      (opened) => opened.close(),
    );
    const hasher = await loadPoseidon();
    const tracing = await parts.start(
      "tracing",
      () => startTracing(config.telemetry, `${hostname()}:${process.pid}`),
      (started) => started?.shutdown(),
    );
    if (tracing) logger.info("exporting traces over OTLP/HTTP");
    // A scrape reads the database first (refreshMetrics below); the registry then reads that snapshot.
    let scraped: RelaySnapshot;
    const metricsRegistry = createRelayMetrics(() => scraped);
    const operationsMetrics = new OperationsMetrics(metricsRegistry);
    const { batches, anchors, boots, proofs, fleet } = store;
    const counters = newUploadCounters();
    const refusals = new RefusalRecorder({
      logger: logger.child({ component: "grpc" }),
      intervalMs: config.refusalLog.intervalMs,
    });
    let started = false;
    let stopping = false;

    // A chain endpoint that stops answering must fail the round, not stall anchoring forever.
    const provider = await parts.start(
      "chain provider",
      () => {
        const rpc = new FetchRequest(config.chain.rpcUrl);
        rpc.timeout = 15_000;
        return new JsonRpcProvider(rpc, undefined, { staticNetwork: true });
      },
      (chain) => chain.destroy(),
    );
    const verification = await parts.start(
      "verification pool",
      async () =>
        new VerificationPool({
          ...(config.upload.hashThreads === undefined ? {} : { threads: config.upload.hashThreads }),
          poseidon: await compilePoseidon(),
        }),
      (pool) => pool.close(),
    );
    const anchoring = await parts.start(
      "anchoring",
      () => {
        const service = new AnchorService({
          anchors,
          leadership: store.leadership,
          leaderPollMs: config.anchoring.leaderPollMs,
          hasher,
          signer: new Wallet(anchorerKey(config.chain), provider),
          contractAddress: config.chain.anchorContract,
          confirmations: config.chain.confirmations,
          replaceAfterMs: config.chain.replaceAfterMs,
          reorgDepth: config.chain.reorgDepth,
          intervalMs: config.anchoring.intervalMs,
          receiptPollMs: config.chain.receiptPollMs,
          maxBatchesPerAnchor: config.anchoring.maxBatchesPerAnchor,
          ...(config.anchoring.onChainVerification.enabled
            ? { verified: new VerifiedAnchoring(config.anchoring.onChainVerification, { batches, proofs }) }
            : {}),
          logger: logger.child({ component: "anchoring" }),
          ...(tracing && { tracing }),
        });
        service.start();
        return service;
      },
      (service) => service.stop(),
    );

    const flowControl = new UploadFlowControl({
      totalInFlight: config.upload.totalInFlight,
      maxPerStream: config.upload.maxInFlight,
    });
    const chains = new GatewayChains({
      ledger: batches,
      proofs,
      verifier: new BatchVerifier(config.upload),
      verification,
      counters,
      logger: logger.child({ component: "grpc" }),
      onAcked: (seconds) => operationsMetrics.acked(seconds),
      ...(tracing && { tracing }),
    });
    const gate = new GatewayGate({ access: store.access, defaultRateLimit: config.fleet.rateLimit });
    await gate.refresh();
    parts.onStop(
      "gateway access",
      every(
        config.fleet.accessRefreshMs,
        () => gate.refresh(),
        (error) => logger.warn({ err: error }, "reading the gateways' access decisions failed"),
      ),
    );
    const deployments = config.enrollment
      ? await parts.start(
          "deployments",
          () =>
            startDeployments({
              dataDir: config.dataDir,
              caCertFile: config.tls.caCertFile,
              caKeyFile: config.enrollment!.caKeyFile,
              logger: logger.child({ component: "deployments" }),
            }),
          (running) => running.close(),
        )
      : undefined;
    const disclosures = await parts.start(
      "disclosure prover",
      () => new DisclosureProver(store.disclosures),
      (prover) => prover.close(),
    );
    const receipts = new ReceiptBuilder({
      batches,
      anchors,
      proofs,
      disclosures,
      hasher,
      contract: config.chain.anchorContract,
      chainId: Number((await provider.getNetwork()).chainId),
    });
    const server = await parts.start(
      "grpc server",
      () =>
        startRelayServer({
          ...config.listen,
          tls: config.tls,
          maxReceiveMessageBytes: maxReceiveMessageBytes(config.upload.maxReadingsPerBatch),
          receiveWindowBytes: config.upload.receiveWindowBytes,
          service: createGatewayRelayService({
            ledger: batches,
            anchors,
            boots,
            chains,
            flowControl,
            refusals,
            gate,
            registrationWindowMs: config.registration.timestampWindowMs,
            logger: logger.child({ component: "grpc" }),
          }),
          extraServices: [
            { definition: ReceiptServiceService, handlers: createReceiptService({ receipts, gate, refusals }) },
            ...(deployments ? [{ definition: DeploymentServiceService, handlers: deployments.service }] : []),
          ],
        }),
      (running) => running.stop(),
    );

    const enrollment = config.enrollment
      ? await parts.start(
          "enrollment",
          () =>
            startEnrollment({
              config: config.enrollment!,
              tls: config.tls,
              dataDir: config.dataDir,
              grpcPort: server.port,
              logger: logger.child({ component: "enrollment" }),
            }),
          (running) => running.close(),
        )
      : undefined;

    // Readings stored per second over the last ten seconds or so.
    const drainRate = new RateEstimator({ halfLifeMs: 10_000 });
    parts.onStop(
      "drain rate",
      every(
        1_000,
        () => drainRate.observe(counters.readingsStored, Date.now()),
        (error) => logger.error({ err: error }, "measuring the drain rate failed"),
      ),
    );
    const readStored = async () => ({
      stored: await batches.totals(),
      anchored: await anchors.totals(),
      gatewayBacklogReadings: await batches.reportedBacklogReadings(),
      fleet: await fleet.list(Date.now()),
      unanchoredSinceMs: await store.anchorLag.unanchoredSince(),
    });
    const snapshot = async (): Promise<RelaySnapshot> => ({
      uploads: { ...counters },
      refusals: refusals.byReason(),
      openUploadStreams: flowControl.openStreams,
      ...(await readStored()),
      drainReadingsPerSecond: drainRate.perSecond,
      anchoringTerm: anchoring.leaderTerm,
    });
    scraped = await snapshot();
    const api = await parts.start(
      "http api",
      () =>
        startRelayApi({
          host: config.api.host,
          port: config.api.port,
          token: loadOrCreateApiToken(config.api.tokenFile ?? join(config.dataDir, "api.token")),
          registry: metricsRegistry,
          refreshMetrics: async () => (scraped = await snapshot()),
          receipt: (gatewayId, gatewaySeq) => receipts.build(gatewayId, gatewaySeq),
          fleet: (gatewayId) => (gatewayId === undefined ? fleet.list(Date.now()) : fleet.show(gatewayId, Date.now())),
          operations: fleetRoutes(store),
          ...(enrollment && { issueEnrollmentToken: () => enrollment.issueToken() }),
          ...(deployments && { deployments: deployments.routes }),
          health: new RelayHealth({
            store,
            grpc: () => (stopping ? undefined : { host: config.listen.host, port: server.port }),
            started: () => started && verification.loadedAll,
            stopping: () => stopping,
          }),
        }),
      (running) => running.close(),
    );
    started = true;
    server.setServing(true);
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
      fleet,
      enrollment,
      deployments: deployments?.store,
      apiPort: api.port,
      snapshot,
      async stop() {
        stopping = true;
        server.setServing(false);
        await parts.stop();
        logger.info("relay stopped");
      },
    };
  });
}

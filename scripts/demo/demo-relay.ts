import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { createRelayPki, parseRelayConfig, relayPkiFiles, startRelay, type Relay } from "@intelledger/cloud-relay";
import type { DevChain } from "@intelledger/contracts";
import { committedKeyTrust, type ChainTrust, type PublishedDeployment } from "@intelledger/verify";
import type { Logger } from "pino";
import { startAnchoredDevChain } from "./anchored-dev-chain.js";

export interface DemoRelay {
  readonly chain: DevChain;
  readonly contractAddress: string;
  /** The contracts' deployment, as published for receipts' verifiers. */
  readonly deployment: PublishedDeployment;
  /** What a verifier of this system's receipts trusts: its deployment, the development key, one confirmation. */
  readonly receiptTrust: ChainTrust;
  readonly relay: Relay;
  /** Registers a gateway's batch-signing key in the registry, as the deployment's admin would. */
  readonly registerGateway: (gatewayId: string) => Promise<void>;
  readonly stop: () => Promise<void>;
}

/**
 * The cloud side on one machine: a dev chain with the anchor contract deployed and a relay
 * anchoring on it, with gRPC, its HTTP API and enrollment on free local ports. Its PKI is
 * kept under `dataDir`, so a gateway enrolled in an earlier run keeps its certificate.
 */
export async function startDemoRelay(options: {
  dataDir: string;
  anchorIntervalMs?: number;
  logger: Logger;
}): Promise<DemoRelay> {
  const { dataDir } = options;
  mkdirSync(dataDir, { recursive: true });
  const { chain, contractAddress, deployment, anchorerPrivateKey, registerGateway } = await startAnchoredDevChain(
    join(dataDir, "chain.log"),
  );
  try {
    const pkiDir = join(dataDir, "relay-pki");
    const { caKeyFile, ...tls } = existsSync(relayPkiFiles(pkiDir).caKeyFile)
      ? relayPkiFiles(pkiDir)
      : await createRelayPki(pkiDir, ["localhost", "127.0.0.1"]);
    const relayDir = join(dataDir, "relay");
    const relay = await startRelay(
      parseRelayConfig({
        dataDir: relayDir,
        listen: { host: "127.0.0.1", port: 0 },
        api: { port: 0 },
        tls,
        enrollment: { host: "127.0.0.1", port: 0, caKeyFile },
        chain: { rpcUrl: chain.rpcUrl, anchorContract: contractAddress, anchorerPrivateKey },
        anchoring: { intervalMs: options.anchorIntervalMs ?? 5_000 },
      }),
      options.logger.child({ service: "relay" }),
    );
    return {
      chain,
      contractAddress,
      deployment,
      receiptTrust: committedKeyTrust({
        chainId: deployment.chainId,
        deployment,
        minConfirmations: 1,
        allowDevelopmentKey: true,
      }),
      relay,
      registerGateway,
      stop: async () => {
        await relay.stop();
        await chain.stop();
      },
    };
  } catch (error) {
    await chain.stop();
    throw error;
  }
}

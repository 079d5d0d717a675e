import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  createCertificateAuthority,
  issueCertificate,
  parseRelayConfig,
  startRelay,
  type Relay,
  type RelaySnapshot,
} from "@intelledger/cloud-relay";
import { deployDataAnchor, startDevChain, type DevChain } from "@intelledger/contracts";
import {
  loadOrCreateGatewayIdentity,
  parseGatewayConfig,
  SimulatedDevice,
  startGateway,
  type Gateway,
  type GatewaySnapshot,
} from "@intelledger/gateway";
import { JsonRpcProvider, Wallet } from "ethers";
import type { Logger } from "pino";

export interface DemoOptions {
  dataDir: string;
  deviceCount: number;
  frameIntervalMs: number;
  /** Embedded broker port; 1883 by default, moving to a free port if that one is taken. */
  mqttPort?: number;
  /** The gateway's web UI and admin API; 8080 by default, moving to a free port if taken. */
  httpPort?: number;
  /** Node-RED in the gateway, under /flows; on by default. */
  nodeRed?: boolean;
  batchMaxAgeMs?: number;
  anchorIntervalMs?: number;
  logger: Logger;
}

export interface DemoSnapshot {
  gateway: GatewaySnapshot;
  relay: RelaySnapshot;
}

export interface DemoSystem {
  readonly chain: DevChain;
  readonly contractAddress: string;
  readonly relay: Relay;
  readonly gateway: Gateway;
  readonly devices: readonly SimulatedDevice[];
  snapshot(): DemoSnapshot;
  /** Stops the devices only; the gateway goes on draining what it holds. */
  stopDevices(): Promise<void>;
  stop(): Promise<void>;
}

function writeSecret(path: string, contents: string): void {
  writeFileSync(path, contents, { mode: 0o600 });
  chmodSync(path, 0o600);
}

/** Mutual-TLS material: a relay CA, the relay's server certificate and the gateway's client certificate. */
async function provisionTls(dir: string, gatewayId: string) {
  mkdirSync(dir, { recursive: true });
  const ca = await createCertificateAuthority("IntelLedger Edge demo relay CA");
  const relay = await issueCertificate(ca, { commonName: "relay", role: "server", hostnames: ["localhost", "127.0.0.1"] });
  const gateway = await issueCertificate(ca, { commonName: gatewayId, role: "client" });
  const files = {
    caCertFile: join(dir, "ca.crt"),
    relayCertFile: join(dir, "relay.crt"),
    relayKeyFile: join(dir, "relay.key"),
    gatewayCertFile: join(dir, "gateway.crt"),
    gatewayKeyFile: join(dir, "gateway.key"),
  };
  writeFileSync(files.caCertFile, ca.certificatePem);
  writeFileSync(files.relayCertFile, relay.certificatePem);
  writeSecret(files.relayKeyFile, relay.privateKeyPem);
  writeFileSync(files.gatewayCertFile, gateway.certificatePem);
  writeSecret(files.gatewayKeyFile, gateway.privateKeyPem);
  return files;
}

/**
 * The whole product on one machine: a dev chain with the anchor contract deployed, the
 * relay, the gateway with its embedded broker, and simulated devices publishing
 * signed frames over MQTT.
 */
export async function startDemoSystem(options: DemoOptions): Promise<DemoSystem> {
  const { dataDir, logger } = options;
  const stack: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    while (stack.length > 0) await stack.pop()?.();
  };
  try {
    const chain = await startDevChain({ logFile: join(dataDir, "chain.log") });
    stack.push(() => chain.stop());
    const [deployerKey, anchorerKey] = chain.accounts;
    if (!deployerKey || !anchorerKey) throw new Error("the dev chain has fewer than two funded accounts");
    const provider = new JsonRpcProvider(chain.rpcUrl, undefined, { staticNetwork: true });
    const deployment = await deployDataAnchor(new Wallet(deployerKey, provider), new Wallet(anchorerKey).address);
    provider.destroy();

    const gatewayDir = join(dataDir, "gateway");
    mkdirSync(gatewayDir, { recursive: true });
    const gatewayId = loadOrCreateGatewayIdentity(gatewayDir).address;
    const tls = await provisionTls(join(dataDir, "tls"), gatewayId);

    const relay = await startRelay(
      parseRelayConfig({
        dataDir: join(dataDir, "relay"),
        listen: { host: "127.0.0.1", port: 0 },
        tls: { caCertFile: tls.caCertFile, certFile: tls.relayCertFile, keyFile: tls.relayKeyFile },
        chain: { rpcUrl: chain.rpcUrl, anchorContract: deployment.address, anchorerPrivateKey: anchorerKey },
        anchoring: { intervalMs: options.anchorIntervalMs ?? 5_000 },
      }),
      logger.child({ service: "relay" }),
    );
    stack.push(() => relay.stop());

    const gateway = await startGateway(
      parseGatewayConfig({
        dataDir: gatewayDir,
        mqtt: { port: options.mqttPort ?? 1883 },
        http: { port: options.httpPort ?? 8080, nodeRed: { enabled: options.nodeRed ?? true } },
        batching: { maxAgeMs: options.batchMaxAgeMs ?? 2_000 },
        relay: {
          address: `127.0.0.1:${relay.port}`,
          serverName: "localhost",
          caCertFile: tls.caCertFile,
          certFile: tls.gatewayCertFile,
          keyFile: tls.gatewayKeyFile,
          heartbeatIntervalMs: 5_000,
        },
      }),
      logger.child({ service: "gateway" }),
    );
    stack.push(() => gateway.stop());

    const devices: SimulatedDevice[] = [];
    const stopDevices = async () => {
      await Promise.all(devices.map((device) => device.stop()));
    };
    stack.push(stopDevices);
    for (let index = 1; index <= options.deviceCount; index++) {
      const device = new SimulatedDevice(`sim-node-${String(index).padStart(3, "0")}`);
      gateway.devices.register(device.deviceId, device.publicKeyPoint);
      await device.connect(`mqtt://127.0.0.1:${gateway.mqttPort}`);
      device.run(options.frameIntervalMs, (error) =>
        logger.warn({ err: error, deviceId: device.deviceId }, "simulated device could not publish"),
      );
      devices.push(device);
    }

    return {
      chain,
      contractAddress: deployment.address,
      relay,
      gateway,
      devices,
      snapshot: () => ({ gateway: gateway.snapshot(), relay: relay.snapshot() }),
      stopDevices,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Relay, RelaySnapshot } from "@intelledger/cloud-relay";
import type { DevChain } from "@intelledger/contracts";
import {
  parseGatewayConfig,
  startGateway,
  type Gateway,
  type GatewayConfigInput,
  type GatewaySnapshot,
} from "@intelledger/gateway";
import type { ChainTrust, PublishedDeployment } from "@intelledger/verify";
import type { Logger } from "pino";
import { startDemoRelay } from "./demo-relay.js";
import type { DemoFleet } from "./demo-fleet.js";

export interface DemoOptions {
  dataDir: string;
  /** The sensor nodes; asked for the serial ports to watch before the gateway starts. */
  fleet: DemoFleet;
  /** Embedded broker port; 1883 by default, moving to a free port if that one is taken. */
  mqttPort?: number;
  /** The gateway's web UI and admin API; 8080 by default, moving to a free port if taken. */
  httpPort?: number;
  /** Node-RED in the gateway, under /flows; on by default. */
  nodeRed?: boolean;
  /** A build of the desktop console's renderer, served by the gateway at /console. */
  consoleDir?: string;
  batchMaxAgeMs?: number;
  anchorIntervalMs?: number;
  /** Anomaly inference settings of the gateway (its defaults otherwise). */
  inference?: GatewayConfigInput["inference"];
  logger: Logger;
}

export interface DemoSnapshot {
  gateway: GatewaySnapshot;
  relay: RelaySnapshot;
}

export interface DemoSystem {
  readonly chain: DevChain;
  readonly contractAddress: string;
  /** The contracts' deployment, as published for receipts' verifiers; also in `deploymentFile`. */
  readonly deployment: PublishedDeployment;
  readonly deploymentFile: string;
  /** What a verifier of this system's receipts trusts: its deployment, the development key, one confirmation. */
  readonly receiptTrust: ChainTrust;
  readonly relay: Relay;
  readonly gateway: Gateway;
  readonly fleet: DemoFleet;
  /** The gateway's state and the relay's, its totals read from its database now. */
  snapshot(): Promise<DemoSnapshot>;
  /** Stops the devices only; the gateway goes on draining what it holds. */
  stopDevices(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The whole product on one machine: a dev chain with the anchor contract deployed, the
 * relay, the gateway with its embedded broker, and a fleet of simulated devices sending
 * signed frames over MQTT and serial lines.
 */
export async function startDemoSystem(options: DemoOptions): Promise<DemoSystem> {
  const { dataDir, logger } = options;
  const stack: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    while (stack.length > 0) await stack.pop()?.();
  };
  mkdirSync(dataDir, { recursive: true });
  // The fleet's cables exist already: whatever else fails, they must go.
  const stopDevices = () => options.fleet.stop();
  stack.push(stopDevices);
  try {
    const cloud = await startDemoRelay({
      dataDir,
      ...(options.anchorIntervalMs !== undefined && { anchorIntervalMs: options.anchorIntervalMs }),
      logger,
    });
    stack.push(() => cloud.stop());
    const { chain, contractAddress, deployment, relay, registerGateway } = cloud;
    const deploymentFile = join(dataDir, "deployment.json");
    writeFileSync(deploymentFile, `${JSON.stringify(deployment, null, 2)}\n`);

    const gatewayDir = join(dataDir, "gateway");
    mkdirSync(gatewayDir, { recursive: true });

    const gateway = await startGateway(
      parseGatewayConfig({
        dataDir: gatewayDir,
        mqtt: { port: options.mqttPort ?? 1883 },
        serial: { ports: [...options.fleet.serialPorts], rescanIntervalMs: 200 },
        http: {
          port: options.httpPort ?? 8080,
          nodeRed: { enabled: options.nodeRed ?? true },
          ...(options.consoleDir && { consoleDir: options.consoleDir }),
        },
        batching: { maxAgeMs: options.batchMaxAgeMs ?? 2_000 },
        // A demo on one machine settles in a second; a field gateway watches an apply for 30 s.
        configApply: { watchMs: 1_000 },
        // Receipts are checked against the demo's own chain, under the development key.
        chain: { rpcUrl: chain.rpcUrl, deploymentFile, allowDevelopmentKey: true },
        ...(options.inference === undefined ? {} : { inference: options.inference }),
      }),
      logger.child({ service: "gateway" }),
    );
    stack.push(() => gateway.stop());
    // As a real deployment's admin would: the gateway's batch-signing key joins the registry,
    // so receipts of its readings show a registered gateway.
    await registerGateway(gateway.id);
    // The gateway enrolls as a technician's would: a one-time token and the relay CA's fingerprint,
    // and the relay's host by name, which its certificate carries (docs: enrolling with a relay).
    if (!gateway.snapshot().uplink) {
      const invitation = relay.enrollment?.issueToken();
      if (!invitation) throw new Error("the demo relay has no enrollment endpoint");
      await gateway.enrollWithRelay(
        {
          relayAddress: `localhost:${invitation.enrollmentPort}`,
          token: invitation.token,
          relayCaFingerprint: invitation.relayCaFingerprint,
        },
        "demo",
      );
    }

    await options.fleet.start(gateway);

    return {
      chain,
      contractAddress,
      deployment,
      deploymentFile,
      receiptTrust: cloud.receiptTrust,
      relay,
      gateway,
      fleet: options.fleet,
      snapshot: async () => ({ gateway: gateway.snapshot(), relay: await relay.snapshot() }),
      stopDevices,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

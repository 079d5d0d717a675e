import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseRelayConfig, startRelay, type Relay, type RelayConfigInput } from "@intelledger/cloud-relay";
import { startGateway, type Gateway, type GatewayConfig } from "@intelledger/gateway";
import { pino, type Logger } from "pino";
import { afterAll } from "vitest";
import { startAnchoredDevChain, type AnchoredDevChain } from "../demo/anchored-dev-chain.js";
import { provisionTls } from "../demo/provision-tls.js";

const silent = pino({ level: "silent" });

/**
 * A system test's temporary folder and what the test starts in it: `close()` stops each part
 * handed to `own`, the last one first, then removes the folder.
 */
export class SystemTestRig {
  readonly dir: string;
  private readonly owned: { part: unknown; stop: () => unknown }[] = [];

  constructor(folderPrefix: string) {
    this.dir = mkdtempSync(join(tmpdir(), folderPrefix));
  }

  /** Returns `part`, to be stopped with `stop` on `close()`. */
  own<T>(part: T, stop: (part: T) => unknown): T {
    this.owned.push({ part, stop: () => stop(part) });
    return part;
  }

  /** Stops an owned part now rather than on `close()`. */
  async stopNow(part: unknown): Promise<void> {
    const index = this.owned.findIndex((entry) => entry.part === part);
    if (index < 0) throw new Error("stopNow: not a part of this rig");
    const [entry] = this.owned.splice(index, 1);
    await entry?.stop();
  }

  async close(): Promise<void> {
    for (const entry of this.owned.splice(0).reverse()) await entry.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** A dev chain with the anchor contract deployed, and the relay's PKI in `pkiFolder`. */
  async startChainWithPki(
    pkiFolder = "tls",
  ): Promise<{ chain: AnchoredDevChain; tls: Awaited<ReturnType<typeof provisionTls>> }> {
    const chain = this.own(await startAnchoredDevChain(), (started) => started.chain.stop());
    return { chain, tls: await provisionTls(join(this.dir, pkiFolder)) };
  }

  async startRelay(config: RelayConfigInput, logger: Logger = silent): Promise<Relay> {
    return this.own(await startRelay(parseRelayConfig(config), logger), (relay) => relay.stop());
  }

  async startGateway(
    config: GatewayConfig,
    options?: Parameters<typeof startGateway>[2],
    logger: Logger = silent,
  ): Promise<Gateway> {
    return this.own(await startGateway(config, logger, options), (gateway) => gateway.stop());
  }
}

/** A rig for the tests of the enclosing `describe`, closed after the last of them. */
export function useSystemTestRig(folderPrefix: string): SystemTestRig {
  const rig = new SystemTestRig(folderPrefix);
  afterAll(() => rig.close());
  return rig;
}

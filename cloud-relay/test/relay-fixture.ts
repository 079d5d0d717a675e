// What a test of a real relay needs: a dev chain with the anchor contract, the relay's CA,
// its certificates and gateways' ones, and the relay's configuration.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deployDataAnchor, startDevChain, type DevChain } from "@intelledger/contracts";
import { JsonRpcProvider, Wallet } from "ethers";
import { pino, type Logger } from "pino";
import { parseRelayConfig, type RelayConfigInput } from "../src/config.js";
import { createCertificateAuthority, issueCertificate } from "../src/pki/certificate-authority.js";
import { startRelay, type Relay } from "../src/relay.js";

export interface TlsFiles {
  caCertFile: string;
  certFile: string;
  keyFile: string;
}

export interface RelayFixture {
  dir: string;
  chain: DevChain;
  /** The relay CA's private key, for a relay that enrolls gateways (`enrollment.caKeyFile`). */
  caKeyFile: string;
  /** The relay's configuration (its port 0 unless given). */
  config(overrides?: Partial<RelayConfigInput>): RelayConfigInput;
  /** A client certificate the relay's CA issued for `commonName` (a gateway's address). */
  gatewayTls(commonName: string): Promise<TlsFiles>;
  /** A client certificate from a CA the relay does not know. */
  foreignTls(commonName: string): Promise<TlsFiles>;
  /** A relay running on `config(overrides)`, logging nothing unless given a logger; `close()` stops it. */
  startRelay(overrides?: Partial<RelayConfigInput>, logger?: Logger): Promise<Relay>;
  /** Stops the relays it started, then the chain, and removes the folder. */
  close(): Promise<void>;
}

async function writeCa(dir: string, name: string) {
  mkdirSync(dir, { recursive: true });
  const ca = await createCertificateAuthority(name);
  const caCertFile = join(dir, "ca.crt");
  writeFileSync(caCertFile, ca.certificatePem);
  return { ca, caCertFile };
}

async function writeIdentity(
  dir: string,
  ca: Awaited<ReturnType<typeof createCertificateAuthority>>,
  caCertFile: string,
  name: string,
  request: Parameters<typeof issueCertificate>[1],
): Promise<TlsFiles> {
  const issued = await issueCertificate(ca, request);
  const files = { caCertFile, certFile: join(dir, `${name}.crt`), keyFile: join(dir, `${name}.key`) };
  writeFileSync(files.certFile, issued.certificatePem);
  writeFileSync(files.keyFile, issued.privateKeyPem, { mode: 0o600 });
  return files;
}

export async function createRelayFixture(): Promise<RelayFixture> {
  const dir = mkdtempSync(join(tmpdir(), "relay-fixture-"));
  const chain = await startDevChain();
  const provider = new JsonRpcProvider(chain.rpcUrl, undefined, { staticNetwork: true });
  const [deployerKey, anchorerKey] = chain.accounts as [string, string];
  const { address } = await deployDataAnchor(new Wallet(deployerKey, provider), new Wallet(anchorerKey).address);
  provider.destroy();
  const { ca, caCertFile } = await writeCa(join(dir, "tls"), "relay test CA");
  const relayTls = await writeIdentity(join(dir, "tls"), ca, caCertFile, "relay", {
    commonName: "relay",
    role: "server",
    hostnames: ["localhost", "127.0.0.1"],
  });
  const foreign = await writeCa(join(dir, "foreign"), "a CA the relay does not trust");
  const caKeyFile = join(dir, "tls", "ca.key");
  writeFileSync(caKeyFile, ca.privateKeyPem, { mode: 0o600 });
  const relays: Relay[] = [];
  const config = (overrides: Partial<RelayConfigInput> = {}): RelayConfigInput => ({
    dataDir: join(dir, "relay"),
    listen: { host: "127.0.0.1", port: 0 },
    api: { port: 0 },
    tls: relayTls,
    chain: { rpcUrl: chain.rpcUrl, anchorContract: address, anchorerPrivateKey: anchorerKey },
    anchoring: { intervalMs: 500 },
    upload: { hashThreads: 1 },
    ...overrides,
  });
  return {
    dir,
    chain,
    caKeyFile,
    config,
    async startRelay(overrides = {}, logger = pino({ level: "silent" })) {
      const relay = await startRelay(parseRelayConfig(config(overrides)), logger);
      relays.push(relay);
      return relay;
    },
    gatewayTls: (commonName) =>
      writeIdentity(join(dir, "tls"), ca, caCertFile, `gateway-${commonName}`, { commonName, role: "client" }),
    foreignTls: async (commonName) => ({
      ...(await writeIdentity(join(dir, "foreign"), foreign.ca, foreign.caCertFile, `gateway-${commonName}`, {
        commonName,
        role: "client",
      })),
      caCertFile,
    }),
    async close() {
      for (const relay of relays.splice(0).reverse()) await relay.stop();
      await chain.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createCertificateAuthority, issueCertificate } from "@intelledger/cloud-relay";

/** Files of one mutual-TLS identity, as both services' configurations name them. */
export interface TlsFiles {
  caCertFile: string;
  certFile: string;
  keyFile: string;
}

function writeSecret(path: string, contents: string): void {
  writeFileSync(path, contents, { mode: 0o600 });
  chmodSync(path, 0o600);
}

/**
 * A relay certificate authority in `dir` with the relay's server certificate, and a way to
 * issue gateways their client certificates (common name: the gateway's address).
 */
export async function provisionTls(dir: string) {
  mkdirSync(dir, { recursive: true });
  const ca = await createCertificateAuthority("IntelLedger Edge relay CA");
  const caCertFile = join(dir, "ca.crt");
  writeFileSync(caCertFile, ca.certificatePem);
  const server = await issueCertificate(ca, { commonName: "relay", role: "server", hostnames: ["localhost", "127.0.0.1"] });
  const relay: TlsFiles = { caCertFile, certFile: join(dir, "relay.crt"), keyFile: join(dir, "relay.key") };
  writeFileSync(relay.certFile, server.certificatePem);
  writeSecret(relay.keyFile, server.privateKeyPem);
  return {
    relay,
    async issueGatewayCertificate(gatewayId: string): Promise<TlsFiles> {
      const client = await issueCertificate(ca, { commonName: gatewayId, role: "client" });
      const files: TlsFiles = {
        caCertFile,
        certFile: join(dir, `gateway-${gatewayId}.crt`),
        keyFile: join(dir, `gateway-${gatewayId}.key`),
      };
      writeFileSync(files.certFile, client.certificatePem);
      writeSecret(files.keyFile, client.privateKeyPem);
      return files;
    },
  };
}

import { writeFileSync, chmodSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createRelayPki, issueCertificate } from "@intelledger/cloud-relay";

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
 * The relay's PKI in `dir`, and a shortcut for soak tests that start gateways before their
 * relay: issuing a gateway's client certificate straight from the CA key. Gateways in the
 * demo and in the field enroll instead (POST /api/uplink/enroll).
 */
export async function provisionTls(dir: string) {
  const pki = await createRelayPki(dir, ["localhost", "127.0.0.1"]);
  const relay: TlsFiles = { caCertFile: pki.caCertFile, certFile: pki.certFile, keyFile: pki.keyFile };
  const authority = { certificatePem: readFileSync(pki.caCertFile, "utf8"), privateKeyPem: readFileSync(pki.caKeyFile, "utf8") };
  return {
    relay,
    caKeyFile: pki.caKeyFile,
    async issueGatewayCertificate(gatewayId: string): Promise<TlsFiles> {
      const client = await issueCertificate(authority, { commonName: gatewayId, role: "client" });
      const files: TlsFiles = {
        caCertFile: pki.caCertFile,
        certFile: join(dir, `gateway-${gatewayId}.crt`),
        keyFile: join(dir, `gateway-${gatewayId}.key`),
      };
      writeFileSync(files.certFile, client.certificatePem);
      writeSecret(files.keyFile, client.privateKeyPem);
      return files;
    },
  };
}

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { writeSecretFile } from "@intelledger/service-kit";
import { createCertificateAuthority, issueCertificate } from "./certificate-authority.js";

/** The relay's TLS files, as its configuration names them (`tls` and `enrollment.caKeyFile`). */
export interface RelayPkiFiles {
  caCertFile: string;
  caKeyFile: string;
  certFile: string;
  keyFile: string;
}

/** Where createRelayPki puts the files in `dir`. */
export function relayPkiFiles(dir: string): RelayPkiFiles {
  return {
    caCertFile: join(dir, "ca.crt"),
    caKeyFile: join(dir, "ca.key"),
    certFile: join(dir, "relay.crt"),
    keyFile: join(dir, "relay.key"),
  };
}

/**
 * A relay's own PKI in `dir`: a certificate authority (which signs gateways' certificates
 * when they enroll) and the relay's server certificate for the names gateways reach it by.
 * Keys are written 0600.
 */
export async function createRelayPki(dir: string, hostnames: readonly string[]): Promise<RelayPkiFiles> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const ca = await createCertificateAuthority("IntelLedger Edge relay CA");
  const server = await issueCertificate(ca, { commonName: "relay", role: "server", hostnames });
  const files = relayPkiFiles(dir);
  writeFileSync(files.caCertFile, ca.certificatePem);
  writeSecretFile(files.caKeyFile, ca.privateKeyPem);
  writeFileSync(files.certFile, server.certificatePem);
  writeSecretFile(files.keyFile, server.privateKeyPem);
  return files;
}

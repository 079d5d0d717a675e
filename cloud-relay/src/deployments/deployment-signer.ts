import { createPrivateKey, sign, type KeyObject } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { issueCertificate } from "../pki/certificate-authority.js";

/** The common name of the certificate gateways accept deployments from. */
export const DEPLOYMENT_SIGNER_NAME = "intelledger-deployments";

export interface DeploymentSigner {
  readonly certificatePem: string;
  /** ECDSA P-256 over SHA-256, DER. */
  sign(document: Uint8Array): Buffer;
}

/**
 * The relay's deployment key and its certificate, issued by the relay's CA the first time
 * and kept in the data folder (the key readable by the relay only). Gateways trust the CA
 * already for TLS; they take a deployment only when this certificate signed it.
 */
export async function loadOrCreateDeploymentSigner(options: {
  dataDir: string;
  caCertFile: string;
  caKeyFile: string;
}): Promise<DeploymentSigner> {
  const keyFile = join(options.dataDir, "deployment-signer.key");
  const certFile = join(options.dataDir, "deployment-signer.crt");
  if (!existsSync(keyFile) || !existsSync(certFile)) {
    const issued = await issueCertificate(
      { certificatePem: readFileSync(options.caCertFile, "utf8"), privateKeyPem: readFileSync(options.caKeyFile, "utf8") },
      { commonName: DEPLOYMENT_SIGNER_NAME, role: "client" },
    );
    writeFileSync(keyFile, issued.privateKeyPem, { mode: 0o600 });
    writeFileSync(certFile, issued.certificatePem);
  }
  const key: KeyObject = createPrivateKey(readFileSync(keyFile, "utf8"));
  return {
    certificatePem: readFileSync(certFile, "utf8"),
    sign: (document) => sign("sha256", document, key),
  };
}

import { verify, X509Certificate } from "node:crypto";
import type { SignedDeployment } from "@intelledger/proto/relay";
import { parseOrThrow } from "@intelledger/service-kit";
import { getAddress } from "ethers";
import { z } from "zod";
import { GatewayError } from "../errors.js";

/** The common name of the relay's deployment certificate. */
export const DEPLOYMENT_SIGNER_NAME = "intelledger-deployments";

/** A deployment the gateway will not apply: not signed by the relay's deployment key, or not for it. */
export class DeploymentRefusedError extends GatewayError {}

const documentSchema = z.object({
  version: z.number().int().min(1),
  target: z.string(),
  publishedAtMs: z.number().int().min(0),
  config: z.record(z.string(), z.unknown()),
});

export type DeploymentDocument = z.infer<typeof documentSchema>;

function commonName(certificate: X509Certificate): string | undefined {
  return certificate.subject
    .split("\n")
    .find((line) => line.startsWith("CN="))
    ?.slice(3);
}

/**
 * Checks a deployment before anything of it is used: its signer's certificate was issued by
 * the relay's CA (the one the gateway checks the relay's TLS against), names the deployment
 * key and is valid now; the signature over the document verifies with it; and the document
 * is for this gateway or for the fleet.
 */
export function verifyDeployment(
  signed: SignedDeployment,
  relayCaPem: string | Buffer,
  gatewayId: string,
  nowMs = Date.now(),
): DeploymentDocument {
  let signer: X509Certificate;
  try {
    signer = new X509Certificate(signed.signerCertificatePem);
  } catch (cause) {
    throw new DeploymentRefusedError("the deployment's signer certificate cannot be read", {}, { cause });
  }
  const ca = new X509Certificate(relayCaPem);
  if (!signer.checkIssued(ca) || !signer.verify(ca.publicKey)) {
    throw new DeploymentRefusedError("the deployment's signer certificate was not issued by the relay's CA", {
      signer: signer.subject,
    });
  }
  if (commonName(signer) !== DEPLOYMENT_SIGNER_NAME) {
    throw new DeploymentRefusedError(
      `the deployment's signer certificate is not the relay's deployment key (${DEPLOYMENT_SIGNER_NAME})`,
      {
        signer: signer.subject,
      },
    );
  }
  if (nowMs < Date.parse(signer.validFrom) || nowMs > Date.parse(signer.validTo)) {
    throw new DeploymentRefusedError("the deployment's signer certificate is not valid now", { validTo: signer.validTo });
  }
  if (!verify("sha256", signed.document, signer.publicKey, signed.signature)) {
    throw new DeploymentRefusedError("the deployment's signature does not verify");
  }
  const document = parseOrThrow(
    documentSchema,
    JSON.parse(Buffer.from(signed.document).toString("utf8")),
    (problems) => new DeploymentRefusedError(`the deployment document is malformed: ${problems}`),
  );
  const { target } = document;
  if (target !== "fleet" && (!/^0x[0-9a-fA-F]{40}$/.test(target) || getAddress(target) !== getAddress(gatewayId))) {
    throw new DeploymentRefusedError(`the deployment is for ${target}, not this gateway`);
  }
  return document;
}

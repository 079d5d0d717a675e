import { createHash } from "node:crypto";
import { verifyMessage, type Signer } from "ethers";

/**
 * Relay enrollment, over HTTPS to the relay's enrollment port (see cloud-relay/README.md):
 * `GET /v1/enroll/ca` answers `{ caCertificatePem }`, which the gateway checks against the
 * fingerprint the relay's operator gave; then, verifying the relay against that CA,
 * `POST /v1/enroll` with an EnrollmentRequest answers an EnrollmentResponse.
 */
export interface EnrollmentRequest {
  /** The one-time enrollment token the relay issued. */
  token: string;
  /** PKCS#10 certificate request (PEM) for the gateway's TLS key; its common name is the gateway's address. */
  certificateRequestPem: string;
  /** EIP-191 signature (0x hex) by the gateway's address over enrollmentMessage(request DER). */
  signature: string;
}

export interface EnrollmentResponse {
  /** The gateway's TLS client certificate, signed by the relay's CA, naming its address. */
  certificatePem: string;
  caCertificatePem: string;
  /** The port of the relay's gRPC endpoint, on the same host as the enrollment port. */
  grpcPort: number;
}

/** The text a gateway signs to show it holds the key of the address its certificate request names. */
export function enrollmentMessage(certificateRequestDer: Uint8Array): string {
  return `IntelLedger Edge enrollment ${createHash("sha256").update(certificateRequestDer).digest("hex")}`;
}

export async function signEnrollment(signer: Signer, certificateRequestDer: Uint8Array): Promise<string> {
  return signer.signMessage(enrollmentMessage(certificateRequestDer));
}

/** The address that signed an enrollment; throws on a malformed signature. */
export function recoverEnrollmentSigner(certificateRequestDer: Uint8Array, signature: string): string {
  return verifyMessage(enrollmentMessage(certificateRequestDer), signature);
}

/** A SHA-256 certificate fingerprint in any usual spelling (`AB:CD:…`, `sha256:abcd…`), as lowercase hex. */
export function normalizeFingerprint(fingerprint: string): string {
  return fingerprint
    .trim()
    .replace(/^sha256:/i, "")
    .replace(/:/g, "")
    .toLowerCase();
}

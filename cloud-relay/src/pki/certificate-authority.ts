import { webcrypto } from "node:crypto";
import { isIP } from "node:net";
import { x509 } from "@intelledger/proto/x509";
import { RelayError } from "../errors.js";

// Node's WebCrypto is complete; only its type differs from the DOM one the library names.
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const KEY_ALGORITHM = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;

/** A certificate and its private key, both PEM. */
export interface PemCredentials {
  certificatePem: string;
  privateKeyPem: string;
}

export interface CertificateRequest {
  commonName: string;
  /** server: the relay's TLS identity; client: a gateway's, whose common name is its address. */
  role: "server" | "client";
  /** DNS names and IP addresses a server certificate is valid for. */
  hostnames?: readonly string[];
  validDays?: number;
}

function toPem(der: ArrayBuffer, label: string): string {
  return x509.PemConverter.encode(der, label);
}

function serialNumber(): string {
  return Buffer.from(webcrypto.getRandomValues(new Uint8Array(16)))
    .toString("hex")
    .replace(/^[89a-f]/, "1");
}

function validity(days: number): { notBefore: Date; notAfter: Date } {
  // A little slack before "now" so a peer whose clock lags slightly still accepts it.
  const notBefore = new Date(Date.now() - 5 * 60_000);
  return { notBefore, notAfter: new Date(notBefore.getTime() + days * 86_400_000) };
}

async function exportPrivateKey(key: webcrypto.CryptoKey): Promise<string> {
  return toPem(await webcrypto.subtle.exportKey("pkcs8", key), "PRIVATE KEY");
}

/**
 * A self-signed certificate authority for the relay's mutual TLS: it signs the relay's
 * server certificate and each gateway's client certificate.
 */
export async function createCertificateAuthority(commonName: string, validDays = 3650): Promise<PemCredentials> {
  const keys = await webcrypto.subtle.generateKey(KEY_ALGORITHM, true, ["sign", "verify"]);
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: `CN=${commonName}`,
    ...validity(validDays),
    keys,
    signingAlgorithm: KEY_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certificatePem: certificate.toString("pem"), privateKeyPem: await exportPrivateKey(keys.privateKey) };
}

/** Issues a certificate and a fresh key pair for it. */
export async function issueCertificate(authority: PemCredentials, request: CertificateRequest): Promise<PemCredentials> {
  const keys = await webcrypto.subtle.generateKey(KEY_ALGORITHM, true, ["sign", "verify"]);
  return {
    certificatePem: await certify(authority, keys.publicKey, request),
    privateKeyPem: await exportPrivateKey(keys.privateKey),
  };
}

/**
 * Signs a PKCS#10 request (PEM) whose key stays with its owner; the certificate names
 * `request.commonName`, whatever the request asked for. Throws when the request's own
 * signature does not verify or its key is not P-256.
 */
export async function signCertificateRequest(
  authority: PemCredentials,
  requestPem: string,
  request: CertificateRequest,
): Promise<string> {
  const csr = new x509.Pkcs10CertificateRequest(requestPem);
  if (!(await csr.verify())) throw new RelayError("invalid_argument", "the certificate request's signature does not verify");
  const publicKey = await webcrypto.subtle.importKey("spki", csr.publicKey.rawData, KEY_ALGORITHM, true, ["verify"]);
  return certify(authority, publicKey, request);
}

async function certify(authority: PemCredentials, publicKey: webcrypto.CryptoKey, request: CertificateRequest): Promise<string> {
  const caCertificate = new x509.X509Certificate(authority.certificatePem);
  const caKey = await webcrypto.subtle.importKey(
    "pkcs8",
    x509.PemConverter.decodeFirst(authority.privateKeyPem),
    KEY_ALGORITHM,
    false,
    ["sign"],
  );
  const hostnames = request.hostnames ?? [];
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement, true),
    new x509.ExtendedKeyUsageExtension([
      request.role === "server" ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth,
    ]),
    await x509.AuthorityKeyIdentifierExtension.create(caCertificate),
  ];
  if (hostnames.length > 0) {
    extensions.push(
      new x509.SubjectAlternativeNameExtension(hostnames.map((name) => ({ type: isIP(name) ? "ip" : "dns", value: name }))),
    );
  }
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: `CN=${request.commonName}`,
    issuer: caCertificate.subject,
    ...validity(request.validDays ?? 825),
    publicKey,
    signingKey: caKey,
    signingAlgorithm: KEY_ALGORITHM,
    extensions,
  });
  return certificate.toString("pem");
}

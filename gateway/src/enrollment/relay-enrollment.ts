import { webcrypto, X509Certificate } from "node:crypto";
import { mkdirSync } from "node:fs";
import { request } from "node:https";
import { isIP } from "node:net";
import { join } from "node:path";
import {
  normalizeFingerprint,
  signEnrollment,
  type EnrollmentRequest,
  type EnrollmentResponse,
} from "@intelledger/proto/enrollment";
import { x509 } from "@intelledger/proto/x509";
import { writeSecretFile } from "@intelledger/service-kit";
import type { Wallet } from "ethers";
import { GatewayError } from "../errors.js";

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const KEY_ALGORITHM = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
const TIMEOUT_MS = 15_000;

/** Enrollment refused or impossible: the message says which step and why. */
export class EnrollmentError extends GatewayError {}

/** What the gateway's `relay` configuration needs after enrolling. */
export interface EnrolledRelay {
  /** host:port of the relay's gRPC endpoint. */
  address: string;
  caCertFile: string;
  certFile: string;
  keyFile: string;
  certificate: { subject: string; issuer: string; validTo: string; fingerprint256: string };
}

function hostAndPort(address: string): { host: string; port: number } {
  const match = /^\[?([^\s\]]+?)\]?:(\d{1,5})$/.exec(address);
  if (!match) throw new EnrollmentError(`relayAddress must be host:port, not ${address}`);
  return { host: match[1] as string, port: Number(match[2]) };
}

/** One HTTPS exchange with the relay's enrollment endpoint; `ca` undefined only to fetch the CA itself. */
function exchange(
  endpoint: { host: string; port: number },
  method: "GET" | "POST",
  path: string,
  ca: string | undefined,
  body?: unknown,
): Promise<unknown> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const call = request(
      {
        host: endpoint.host,
        port: endpoint.port,
        method,
        path,
        timeout: TIMEOUT_MS,
        ...(ca === undefined ? { rejectUnauthorized: false } : { ca }),
        ...(isIP(endpoint.host) === 0 && { servername: endpoint.host }),
        headers:
          payload === undefined ? {} : { "content-type": "application/json", "content-length": Buffer.byteLength(payload) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch {
            reject(new EnrollmentError(`the relay answered ${response.statusCode} with something other than JSON`));
            return;
          }
          if (response.statusCode === 200) resolve(parsed);
          else reject(new EnrollmentError(`the relay refused: ${(parsed as { error?: string }).error ?? response.statusCode}`));
        });
      },
    );
    call.on("timeout", () => call.destroy(new EnrollmentError(`the relay at ${endpoint.host}:${endpoint.port} did not answer`)));
    call.on("error", (error) =>
      reject(
        error instanceof EnrollmentError
          ? error
          : new EnrollmentError(
              `cannot reach the relay at ${endpoint.host}:${endpoint.port}: ${error.message}`,
              {},
              { cause: error },
            ),
      ),
    );
    call.end(payload);
  });
}

/**
 * Enrolls the gateway with a relay: fetches the relay's CA and checks it against the
 * fingerprint the relay's operator gave, makes a P-256 key and a certificate request naming
 * the gateway's address, signs the request with the gateway's identity key, and sends it
 * with the one-time token over TLS verified against that CA. The key, the certificate and
 * the CA are written 0600 into a folder of their own under `dir`.
 */
export async function enrollWithRelay(options: {
  relayAddress: string;
  token: string;
  relayCaFingerprint: string;
  identity: Wallet;
  dir: string;
}): Promise<EnrolledRelay> {
  const endpoint = hostAndPort(options.relayAddress);
  const { caCertificatePem } = (await exchange(endpoint, "GET", "/v1/enroll/ca", undefined)) as { caCertificatePem: string };
  const ca = new X509Certificate(caCertificatePem);
  const presented = normalizeFingerprint(ca.fingerprint256);
  if (presented !== normalizeFingerprint(options.relayCaFingerprint)) {
    throw new EnrollmentError(
      `the relay's CA has fingerprint ${presented}, not the ${normalizeFingerprint(options.relayCaFingerprint)} given; not enrolling`,
    );
  }

  const keys = await webcrypto.subtle.generateKey(KEY_ALGORITHM, true, ["sign", "verify"]);
  const certificateRequest = await x509.Pkcs10CertificateRequestGenerator.create({
    name: `CN=${options.identity.address}`,
    keys,
    signingAlgorithm: KEY_ALGORITHM,
  });
  const enrollment: EnrollmentRequest = {
    token: options.token,
    certificateRequestPem: certificateRequest.toString("pem"),
    signature: await signEnrollment(options.identity, new Uint8Array(certificateRequest.rawData)),
  };
  const answer = (await exchange(endpoint, "POST", "/v1/enroll", caCertificatePem, enrollment)) as EnrollmentResponse;

  const issued = new X509Certificate(answer.certificatePem);
  const ourKey = Buffer.from(await webcrypto.subtle.exportKey("spki", keys.publicKey));
  if (!issued.checkIssued(ca) || !issued.verify(ca.publicKey))
    throw new EnrollmentError("the relay's certificate is not signed by its CA");
  if (!issued.publicKey.export({ type: "spki", format: "der" }).equals(ourKey)) {
    throw new EnrollmentError("the relay's certificate is not for the key this gateway made");
  }
  if (!issued.subject.split("\n").includes(`CN=${options.identity.address}`)) {
    throw new EnrollmentError(`the relay's certificate names ${issued.subject}, not this gateway`);
  }

  const folder = join(options.dir, `enrolled-${new Date().toISOString().replace(/[:.]/g, "")}`);
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const files = {
    caCertFile: join(folder, "ca.crt"),
    certFile: join(folder, "gateway.crt"),
    keyFile: join(folder, "gateway.key"),
  };
  writeSecretFile(files.caCertFile, caCertificatePem);
  writeSecretFile(files.certFile, answer.certificatePem);
  writeSecretFile(
    files.keyFile,
    x509.PemConverter.encode(await webcrypto.subtle.exportKey("pkcs8", keys.privateKey), "PRIVATE KEY"),
  );
  return {
    address: `${endpoint.host.includes(":") ? `[${endpoint.host}]` : endpoint.host}:${answer.grpcPort}`,
    ...files,
    certificate: {
      subject: issued.subject,
      issuer: issued.issuer,
      validTo: issued.validTo,
      fingerprint256: issued.fingerprint256,
    },
  };
}

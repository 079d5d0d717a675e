import { once } from "node:events";
import { readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { X509Certificate } from "node:crypto";
import { recoverEnrollmentSigner, type EnrollmentResponse } from "@intelledger/proto/enrollment";
import { x509 } from "@intelledger/proto/x509";
import { parseOrThrow } from "@intelledger/service-kit";
import { getAddress } from "ethers";
import type { Logger } from "pino";
import { z } from "zod";
import { RelayError } from "../errors.js";
import { signCertificateRequest } from "../pki/certificate-authority.js";
import type { EnrollmentTokens } from "./enrollment-tokens.js";

const MAX_BODY_BYTES = 64 * 1024;

const enrollmentRequest = z.strictObject({
  token: z.string().min(1).max(200),
  certificateRequestPem: z.string().min(1).max(16_384),
  signature: z.string().regex(/^0x[0-9a-fA-F]{130}$/, "must be a 65-byte 0x-hex signature"),
});

const STATUS_OF_KIND: Partial<Record<RelayError["kind"], number>> = { permission_denied: 403, invalid_argument: 400 };

export interface EnrollmentServer {
  readonly port: number;
  close(): Promise<void>;
}

/** The SHA-256 fingerprint of a PEM certificate, lowercase hex: what `relay enrollment-token` prints. */
export function certificateFingerprint(pem: string): string {
  return new X509Certificate(pem).fingerprint256.replace(/:/g, "").toLowerCase();
}

async function readBody(request: IncomingMessage): Promise<unknown> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new RelayError("invalid_argument", `body larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw new RelayError("invalid_argument", "the body is not JSON");
  }
}

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "content-type": "application/json" }).end(`${JSON.stringify(body)}\n`);
}

/**
 * Where gateways enroll: HTTPS with the relay's server certificate. `GET /v1/enroll/ca`
 * gives the CA certificate (checked by the gateway against the fingerprint it was given);
 * `POST /v1/enroll` takes a one-time token, a certificate request and the gateway's
 * signature over it, and answers the client certificate naming the gateway's address.
 */
export async function startEnrollmentServer(options: {
  host: string;
  port: number;
  tls: { caCertFile: string; certFile: string; keyFile: string };
  caKeyFile: string;
  certificateValidDays: number;
  grpcPort: number;
  tokens: EnrollmentTokens;
  logger: Logger;
}): Promise<EnrollmentServer> {
  const authority = {
    certificatePem: readFileSync(options.tls.caCertFile, "utf8"),
    privateKeyPem: readFileSync(options.caKeyFile, "utf8"),
  };
  const enroll = async (body: unknown): Promise<EnrollmentResponse> => {
    const { token, certificateRequestPem, signature } = parseOrThrow(
      enrollmentRequest,
      body,
      (problems) => new RelayError("invalid_argument", problems),
    );
    let requestDer: Uint8Array;
    let gatewayId: string;
    try {
      requestDer = new Uint8Array(x509.PemConverter.decodeFirst(certificateRequestPem));
      gatewayId = getAddress(recoverEnrollmentSigner(requestDer, signature));
    } catch (cause) {
      throw new RelayError("invalid_argument", "the certificate request or its signature is malformed", {}, { cause });
    }
    const named = new x509.Pkcs10CertificateRequest(requestDer).subjectName.getField("CN")[0];
    if (named?.toLowerCase() !== gatewayId.toLowerCase()) {
      throw new RelayError("invalid_argument", "the certificate request does not name the address that signed it", {
        named,
        signer: gatewayId,
      });
    }
    options.tokens.consume(token, gatewayId);
    const certificatePem = await signCertificateRequest(authority, certificateRequestPem, {
      commonName: gatewayId,
      role: "client",
      validDays: options.certificateValidDays,
    });
    options.logger.info({ gatewayId }, "gateway enrolled");
    return { certificatePem, caCertificatePem: authority.certificatePem, grpcPort: options.grpcPort };
  };

  const server: Server = createServer(
    { cert: readFileSync(options.tls.certFile), key: readFileSync(options.tls.keyFile) },
    (request, response) => {
      const path = request.url?.split("?")[0];
      if (request.method === "GET" && path === "/v1/enroll/ca") {
        json(response, 200, { caCertificatePem: authority.certificatePem });
        return;
      }
      if (request.method !== "POST" || path !== "/v1/enroll") {
        json(response, 404, { error: "not found" });
        return;
      }
      readBody(request)
        .then(enroll)
        .then(
          (answer) => json(response, 200, answer),
          (error: unknown) => {
            if (!(error instanceof RelayError)) options.logger.error({ err: error }, "enrollment failed");
            const status = error instanceof RelayError ? (STATUS_OF_KIND[error.kind] ?? 500) : 500;
            if (status < 500) options.logger.warn({ reason: (error as Error).message }, "enrollment refused");
            json(response, status, { error: status < 500 ? (error as Error).message : "internal error" });
          },
        );
    },
  );
  server.listen(options.port, options.host);
  await once(server, "listening");
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

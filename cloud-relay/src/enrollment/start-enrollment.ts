import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "pino";
import type { RelayConfig } from "../config.js";
import { certificateFingerprint, startEnrollmentServer } from "./enrollment-server.js";
import { EnrollmentTokens } from "./enrollment-tokens.js";

/** A token to hand a technician, with what they type next to it on the gateway. */
export interface EnrollmentInvitation {
  token: string;
  expiresAtMs: number;
  /** SHA-256 of the relay's CA certificate, lowercase hex. */
  relayCaFingerprint: string;
  /** The enrollment port (the gateway's relayAddress is this relay's host and this port). */
  enrollmentPort: number;
}

export interface RelayEnrollment {
  readonly port: number;
  issueToken(): EnrollmentInvitation;
  close(): Promise<void>;
}

export function enrollmentTokensPath(dataDir: string): string {
  return join(dataDir, "enrollment.sqlite");
}

/** Issues a token from the token store, with the CA fingerprint the gateway checks. */
export function inviteGateway(
  tokens: EnrollmentTokens,
  config: Pick<NonNullable<RelayConfig["enrollment"]>, "tokenTtlMinutes" | "port">,
  caCertFile: string,
  enrollmentPort = config.port,
): EnrollmentInvitation {
  return {
    ...tokens.issue(config.tokenTtlMinutes * 60_000),
    relayCaFingerprint: certificateFingerprint(readFileSync(caCertFile, "utf8")),
    enrollmentPort,
  };
}

/** The relay's enrollment part: the token store and the HTTPS endpoint. */
export async function startEnrollment(options: {
  config: NonNullable<RelayConfig["enrollment"]>;
  tls: RelayConfig["tls"];
  dataDir: string;
  grpcPort: number;
  logger: Logger;
}): Promise<RelayEnrollment> {
  const tokens = new EnrollmentTokens(enrollmentTokensPath(options.dataDir));
  try {
    const server = await startEnrollmentServer({
      host: options.config.host,
      port: options.config.port,
      tls: options.tls,
      caKeyFile: options.config.caKeyFile,
      certificateValidDays: options.config.certificateValidDays,
      grpcPort: options.grpcPort,
      tokens,
      logger: options.logger,
    });
    return {
      port: server.port,
      issueToken: () => inviteGateway(tokens, options.config, options.tls.caCertFile, server.port),
      async close() {
        await server.close();
        tokens.close();
      },
    };
  } catch (error) {
    tokens.close();
    throw error;
  }
}

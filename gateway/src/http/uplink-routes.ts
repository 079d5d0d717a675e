import type { Wallet } from "ethers";
import type { AuditLog } from "../auth/audit-log.js";
import { z } from "zod";
import type { ConfigManager } from "../config-admin/config-manager.js";
import { enrollGateway } from "../enrollment/enroll-gateway.js";
import type { ApiRoutes, RouteGroup } from "./api-routes.js";

/** /api/uplink: enrolling with a relay, which configures the uplink and connects it. */
export function uplinkRoutes(
  api: ApiRoutes,
  deps: { identity: Wallet; management: ConfigManager; relayDir: string; audit: AuditLog },
): RouteGroup {
  const routes = api.under("/api/uplink");

  routes.add({
    method: "post",
    path: "/enroll",
    summary: "Enrolls with a relay: a one-time token and the relay CA's fingerprint in, a client certificate out; then connects",
    description:
      "relayAddress is the relay's enrollment endpoint (host:port, 50052 by default). The gateway checks the relay's CA " +
      "against relayCaFingerprint (SHA-256, hex, colons optional), sends a certificate request naming its address, stores " +
      "key and certificate 0600 under <dataDir>/relay/, and applies the relay section of its configuration (live, watched).",
    access: "technician",
    body: z.strictObject({
      relayAddress: z.string().min(3).max(300),
      token: z.string().min(1).max(200),
      relayCaFingerprint: z.string().regex(/^(sha256:)?[0-9a-fA-F:]{64,95}$/, "must be a SHA-256 fingerprint in hex"),
    }),
    response: z.object({
      relay: z.object({ address: z.string(), caCertFile: z.string(), certFile: z.string(), keyFile: z.string() }),
      certificate: z.object({ subject: z.string(), issuer: z.string(), validTo: z.string(), fingerprint256: z.string() }),
      revision: z.number(),
      mode: z.enum(["none", "live", "restart"]),
    }),
    handle: async ({ principal, body }) => {
      const { enrolled, outcome } = await enrollGateway(deps, principal.username, body);
      const { certificate, ...relay } = enrolled;
      return { relay, certificate, revision: outcome.revision, mode: outcome.mode };
    },
  });

  return routes;
}

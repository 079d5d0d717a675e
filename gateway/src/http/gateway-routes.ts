import { z } from "zod";
import type { AuditLog } from "../auth/audit-log.js";
import type { DerivedStore } from "../store/derived-store.js";
import type { GatewaySnapshot } from "../gateway-snapshot.js";
import { UPLINK_STATES } from "../uplink/batch-uploader.js";
import type { ApiRoutes, RouteGroup } from "./api-routes.js";

const page = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  beforeId: z.coerce.number().int().min(1).optional(),
});

const snapshot = z.object({
  gatewayId: z.string(),
  ingest: z.object({ framesAccepted: z.number(), readingsAccepted: z.number(), rejected: z.record(z.string(), z.number()) }),
  quarantinedDevices: z.array(z.string()),
  readingsStored: z.number(),
  batchesSealed: z.number(),
  batchesAcked: z.number(),
  backlog: z.object({ batches: z.number(), readings: z.number(), oldestSealedAtMs: z.number().optional() }),
  storage: z.object({ bytesUsed: z.number(), quotaBytes: z.number(), full: z.boolean(), daysOfAutonomy: z.number() }),
  drainReadingsPerSecond: z.number(),
  uplink: z
    .object({
      state: z.enum(UPLINK_STATES),
      /** The newest of the gateway's batches the relay anchored on chain, as its heartbeats say. */
      lastAnchored: z
        .object({ sequence: z.number(), transactionHash: z.string(), blockNumber: z.number(), confirmedAtMs: z.number() })
        .optional(),
    })
    .optional(),
  proofs: z.object({ proved: z.number(), uploaded: z.number(), invalid: z.number() }),
  inference: z.object({ scoredThroughSeq: z.number() }).optional(),
});

const alert = z.object({
  gatewaySeq: z.number(),
  source: z.string(),
  severity: z.string(),
  code: z.number(),
  message: z.string(),
  subjectDeviceId: z.string().optional(),
  subjectGatewaySeq: z.number().optional(),
  raisedAtMs: z.number(),
});

const auditEntry = z.object({
  id: z.number(),
  atMs: z.number(),
  actor: z.string(),
  action: z.string(),
  target: z.string().optional(),
  details: z.record(z.string(), z.unknown()),
});

/** /api: the gateway's state for anyone logged in; the audit log for technicians. */
export function gatewayRoutes(
  api: ApiRoutes,
  deps: { snapshot: () => GatewaySnapshot; derived: DerivedStore; audit: AuditLog },
): RouteGroup {
  const routes = api.under("/api");

  routes.add({
    method: "get",
    path: "/status",
    summary: "The gateway's state: ingest, storage, batches, uplink, proofs, inference",
    access: "viewer",
    response: snapshot,
    handle: () => deps.snapshot(),
  });

  routes.add({
    method: "get",
    path: "/alerts",
    summary: "Alerts raised by flows, newest first",
    access: "viewer",
    query: page.pick({ limit: true }),
    response: z.array(alert),
    handle: ({ query }) => deps.derived.alerts(query.limit),
  });

  routes.add({
    method: "get",
    path: "/audit",
    summary: "The audit log, newest first; beforeId pages back",
    access: "technician",
    query: page,
    response: z.array(auditEntry),
    handle: ({ query: { limit, beforeId } }) => deps.audit.list({ ...(limit && { limit }), ...(beforeId && { beforeId }) }),
  });

  return routes;
}

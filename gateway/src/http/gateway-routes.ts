import express, { type Router } from "express";
import { z } from "zod";
import type { AuditLog } from "../auth/audit-log.js";
import type { DerivedStore } from "../store/derived-store.js";
import type { GatewaySnapshot } from "../gateway-snapshot.js";
import { requirePrincipal, route } from "./route.js";

const page = z.object({
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  beforeId: z.coerce.number().int().min(1).optional(),
});

/** /api: the gateway's state for anyone logged in; the audit log for technicians. */
export function gatewayRoutes(deps: { snapshot: () => GatewaySnapshot; derived: DerivedStore; audit: AuditLog }): Router {
  const router = express.Router();

  router.get(
    "/status",
    route((req, res) => {
      requirePrincipal(req);
      res.json(deps.snapshot());
    }),
  );

  router.get(
    "/alerts",
    route((req, res) => {
      requirePrincipal(req);
      res.json(deps.derived.alerts(page.parse(req.query).limit));
    }),
  );

  router.get(
    "/audit",
    route((req, res) => {
      requirePrincipal(req, "technician");
      const { limit, beforeId } = page.parse(req.query);
      res.json(deps.audit.list({ ...(limit && { limit }), ...(beforeId && { beforeId }) }));
    }),
  );

  return router;
}

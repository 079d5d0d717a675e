import express, { type Router } from "express";
import { z } from "zod";
import type { AuditLog } from "../auth/audit-log.js";
import { InferenceError } from "../inference/inference-errors.js";
import type { ModelManager } from "../inference/model-manager.js";
import { requirePrincipal, route } from "./route.js";

const swapBody = z.object({ version: z.number().int().min(1) });

/**
 * /api/inference: the anomaly model in use and the versions in its folder for anyone logged
 * in; swapping to a version (loaded, checked and warmed up first) for technicians, audited.
 */
export function inferenceRoutes(deps: { models: ModelManager | undefined; audit: AuditLog }): Router {
  const router = express.Router();

  router.get(
    "/",
    route((req, res) => {
      requirePrincipal(req);
      const { models } = deps;
      const current = models?.current;
      res.json({
        enabled: models !== undefined,
        model: current && {
          version: current.version,
          threshold: current.manifest.threshold,
          description: current.manifest.description,
        },
        versions: models?.versions() ?? [],
      });
    }),
  );

  router.post(
    "/swap",
    route(async (req, res) => {
      const principal = requirePrincipal(req, "technician");
      const { version } = swapBody.parse(req.body);
      if (!deps.models) throw new InferenceError("inference is off");
      const previous = deps.models.current?.version;
      const model = await deps.models.swapTo(version);
      deps.audit.record(principal.username, "inference.swap", model.version, { previous });
      res.json({ version: model.version });
    }),
  );

  return router;
}

import { z } from "zod";
import type { AuditLog } from "../auth/audit-log.js";
import { InferenceError } from "../inference/inference-errors.js";
import type { ModelManager } from "../inference/model-manager.js";
import type { ApiRoutes, RouteGroup } from "./api-routes.js";

/**
 * /api/inference: the anomaly model in use and the versions in its folder for anyone logged
 * in; swapping to a version (loaded, checked and warmed up first) for technicians, audited.
 */
export function inferenceRoutes(api: ApiRoutes, deps: { models: () => ModelManager | undefined; audit: AuditLog }): RouteGroup {
  const routes = api.under("/api/inference");

  routes.add({
    method: "get",
    path: "/",
    summary: "The anomaly model in use and the versions available",
    access: "viewer",
    response: z.object({
      enabled: z.boolean(),
      model: z.object({ version: z.string(), threshold: z.number(), description: z.string() }).optional(),
      versions: z.array(z.number()),
    }),
    handle: () => {
      const models = deps.models();
      const current = models?.current;
      return {
        enabled: models !== undefined,
        model: current && {
          version: current.version,
          threshold: current.manifest.threshold,
          description: current.manifest.description,
        },
        versions: models?.versions() ?? [],
      };
    },
  });

  routes.add({
    method: "post",
    path: "/swap",
    summary: "Load, check and warm up a model version, then score with it",
    access: "technician",
    body: z.strictObject({ version: z.number().int().min(1) }),
    response: z.object({ version: z.string() }),
    handle: async ({ principal, body }) => {
      const models = deps.models();
      if (!models) throw new InferenceError("inference is off");
      const previous = models.current?.version;
      const model = await models.swapTo(body.version);
      deps.audit.record(principal.username, "inference.swap", model.version, { previous });
      return { version: model.version };
    },
  });

  return routes;
}

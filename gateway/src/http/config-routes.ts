import { z } from "zod";
import { gatewayConfigSchema } from "../config.js";
import { applyModeOf } from "../config-admin/config-diff.js";
import { configJsonSchema } from "../config-admin/config-schema.js";
import type { ConfigManager } from "../config-admin/config-manager.js";
import type { ConfigRevision } from "../config-admin/config-history.js";
import type { GatewayConfig } from "../config.js";
import { fieldIssues, type FieldIssue } from "../field-issues.js";
import { NotFoundError, RequestValidationError, type ApiRoutes, type RouteGroup } from "./api-routes.js";

const document = z.record(z.string(), z.unknown());
const comment = z.string().max(500).optional();
const change = z.object({
  path: z.string(),
  before: z.unknown().optional(),
  after: z.unknown().optional(),
  apply: z.enum(["live", "restart", "fixed"]),
  part: z.string().optional(),
});
const outcome = z.object({
  revision: z.number(),
  changes: z.array(change),
  mode: z.enum(["none", "live", "restart"]),
  watchMs: z.number(),
});
const revisionSummary = z.object({
  revision: z.number(),
  atMs: z.number(),
  actor: z.string(),
  origin: z.enum(["file", "apply", "revert", "rollback"]),
  status: z.enum(["watching", "kept", "rolled-back"]),
  comment: z.string().optional(),
  rollbackReason: z.string().optional(),
  restores: z.number().optional(),
  replaces: z.number().optional(),
  current: z.boolean(),
});
const byRevision = z.strictObject({ revision: z.coerce.number().int().min(1) });

/** A revision without its document. */
function summary(revision: ConfigRevision, current: number) {
  const described: Partial<ConfigRevision> & Omit<ConfigRevision, "config"> = { ...revision };
  delete described.config;
  return { ...described, current: revision.revision === current };
}

/**
 * /api/config: the configuration as one document. Anyone logged in reads it, its schema and
 * its history; technicians validate, compare, apply and revert, each apply audited.
 * `checkAgainstGateway` finds what the schema cannot know is wrong (a rule naming a device
 * the gateway does not have); a document with such issues is not applied.
 */
export function configRoutes(
  api: ApiRoutes,
  manager: ConfigManager,
  checkAgainstGateway: (config: GatewayConfig) => FieldIssue[] = () => [],
): RouteGroup {
  const routes = api.under("/api/config");
  const afterReply = (res: { once(event: "finish", listener: () => void): unknown }) => (run: () => void) =>
    res.once("finish", run);

  routes.add({
    method: "get",
    path: "/",
    summary: "The configuration in force, every default filled in (it holds no secrets: key files are named, not read)",
    access: "viewer",
    response: z.object({ revision: z.number(), status: z.string(), config: document }),
    handle: () => {
      const { revision, status, config } = manager.current;
      return { revision, status, config };
    },
  });

  routes.add({
    method: "get",
    path: "/schema",
    summary: "The configuration's JSON Schema; x-apply on each field says whether it applies live or by a restart",
    access: "viewer",
    response: document,
    handle: () => configJsonSchema(),
  });

  routes.add({
    method: "post",
    path: "/validate",
    summary: "Checks a configuration without applying it; each issue names its field",
    access: "viewer",
    body: z.strictObject({ config: z.unknown() }),
    response: z.object({ valid: z.boolean(), issues: z.array(z.object({ path: z.string(), message: z.string() })) }),
    handle: ({ body }) => {
      const result = gatewayConfigSchema.safeParse(body.config);
      const issues = result.success ? checkAgainstGateway(result.data) : fieldIssues(result.error);
      return { valid: issues.length === 0, issues };
    },
  });

  routes.add({
    method: "post",
    path: "/diff",
    summary: "What applying a configuration would change, field by field, and how each change applies",
    access: "viewer",
    body: z.strictObject({ config: gatewayConfigSchema }),
    response: z.object({ changes: z.array(change), mode: z.enum(["none", "live", "restart"]) }),
    handle: ({ body }) => {
      const changes = manager.diff(body.config);
      return { changes, mode: applyModeOf(changes) };
    },
  });

  routes.add({
    method: "put",
    path: "/",
    summary: "Applies a configuration: live where it can, else by restarting the gateway's parts after this reply; then watched",
    description:
      "The gateway watches its health for configApply.watchMs afterwards and rolls back by itself when it fails " +
      "(audited as config.rollback). A change that cannot be put in force is rolled back at once and answered 400.",
    access: "technician",
    body: z.strictObject({ config: gatewayConfigSchema, comment }),
    response: outcome,
    handle: ({ principal, body, res }) => {
      const issues = checkAgainstGateway(body.config).map((issue) => ({ ...issue, path: `body.config.${issue.path}` }));
      if (issues.length > 0) throw new RequestValidationError(issues);
      return manager.apply(principal.username, body.config, { comment: body.comment, afterReply: afterReply(res) });
    },
  });

  routes.add({
    method: "get",
    path: "/history",
    summary: "Every configuration applied, newest first",
    access: "viewer",
    response: z.array(revisionSummary),
    handle: () => {
      const current = manager.current.revision;
      return manager.revisions().map((revision) => summary(revision, current));
    },
  });

  routes.add({
    method: "get",
    path: "/history/:revision",
    summary: "One applied configuration, with its document",
    access: "viewer",
    params: byRevision,
    response: revisionSummary.extend({ config: document }),
    handle: ({ params }) => {
      const revision = manager.revision(params.revision);
      if (!revision) throw new NotFoundError(`there is no configuration revision ${params.revision}`);
      return { ...summary(revision, manager.current.revision), config: revision.config };
    },
  });

  routes.add({
    method: "post",
    path: "/revert",
    summary: "Applies an earlier revision's document again (as a new revision, watched like any apply)",
    access: "technician",
    body: z.strictObject({ revision: z.number().int().min(1), comment }),
    response: outcome,
    handle: ({ principal, body, res }) =>
      manager.revert(principal.username, body.revision, { comment: body.comment, afterReply: afterReply(res) }),
  });

  return routes;
}

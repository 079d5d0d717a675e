import { z } from "zod";
import type { ApiRoutes, RouteGroup } from "./api-routes.js";

const nodeRedStatus = z.object({
  state: z
    .string()
    .describe("disabled, starting, running, safe-mode (flows stopped until the next deploy), restarting, failed or stopped"),
  user: z.string().optional().describe("the system user Node-RED runs as"),
  pid: z.number().optional(),
  flowsRevision: z.string().optional().describe("Node-RED's revision of the flows it runs or last ran"),
  restarts: z.number().optional(),
  lastExit: z.object({ atMs: z.number(), reason: z.string() }).optional(),
  safeModeReason: z.string().optional(),
  feedDropped: z.number().optional().describe("readings and scores Node-RED could not take in time"),
});

/** /api/node-red: the state of Node-RED's process, for anyone logged in. */
export function nodeRedRoutes(api: ApiRoutes, status: () => z.input<typeof nodeRedStatus>): RouteGroup {
  const routes = api.under("/api");
  routes.add({
    method: "get",
    path: "/node-red",
    summary: "Node-RED's process: its state, restarts and why, safe mode and why",
    access: "viewer",
    response: nodeRedStatus,
    handle: () => status(),
  });
  return routes;
}

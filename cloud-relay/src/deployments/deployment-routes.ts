import type { IncomingMessage, ServerResponse } from "node:http";
import { getAddress } from "ethers";
import { json, readJsonBody } from "../api/http-json.js";
import type { DeploymentStore, DeploymentTarget } from "./deployment-store.js";

const PUBLISH_PATH = /^\/v1\/deployments\/(fleet|0x[0-9a-fA-F]{40})$/;

/**
 * The operators' side of deployments, under the relay API's bearer token:
 * `PUT /v1/deployments/{fleet|<gateway>}` with `{"config": {...}}` publishes (201 with the
 * version), `GET /v1/deployments` lists the newest per target, `GET /v1/deployments/status`
 * shows each gateway's desired and reported versions. Answers whether it handled the path.
 */
export function deploymentRoutes(store: DeploymentStore) {
  async function publish(request: IncomingMessage, response: ServerResponse, target: DeploymentTarget): Promise<void> {
    const body = await readJsonBody(request, response);
    if (body === undefined) return;
    const config: unknown = typeof body === "object" && body !== null && "config" in body ? body.config : undefined;
    if (typeof config !== "object" || config === null || Array.isArray(config)) {
      return json(response, 400, { error: 'the body must be {"config": {<configuration fields>}}' });
    }
    if ("dataDir" in config || "relay" in config) {
      return json(response, 400, { error: "a deployment cannot change dataDir or relay: those keep the gateway reachable" });
    }
    json(response, 201, store.publish(target, config as Record<string, unknown>));
  }

  return (request: IncomingMessage, response: ServerResponse, path: string): boolean => {
    if (request.method === "GET" && path === "/v1/deployments") {
      json(
        response,
        200,
        store.latest().map(({ version, target, publishedAtMs, document }) => ({
          version,
          target,
          publishedAtMs,
          config: (JSON.parse(Buffer.from(document).toString("utf8")) as { config: unknown }).config,
        })),
      );
      return true;
    }
    if (request.method === "GET" && path === "/v1/deployments/status") {
      json(response, 200, store.statuses());
      return true;
    }
    const target = PUBLISH_PATH.exec(path)?.[1];
    if (request.method === "PUT" && target !== undefined) {
      const normalized: DeploymentTarget = target === "fleet" ? "fleet" : (getAddress(target) as `0x${string}`);
      publish(request, response, normalized).catch((error: unknown) => json(response, 500, { error: String(error) }));
      return true;
    }
    return false;
  };
}

import type { RequestListener } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Gateway } from "../gateway.js";
import type { GatewayClient } from "../../test/gateway-client.js";
import { startTestGateway, type TestGateway } from "../../test/test-gateway.js";
import { expressRoutes } from "../../test/express-routes.js";

interface OpenApiOperation {
  requestBody?: unknown;
  parameters: { name: string; in: string }[];
  "x-role": string;
}
type OpenApi = { openapi: string; paths: Record<string, Record<string, OpenApiOperation>> };

let running: TestGateway;
let gateway: Gateway;
let client: GatewayClient;
let token: string;
let document: OpenApi;

beforeAll(async () => {
  running = await startTestGateway({ proving: { enabled: true } });
  gateway = running.gateway;
  client = running.client;
  const cookie = await client.pair(gateway.pairingCode ?? "", "tech");
  token = await client.apiToken(cookie, "openapi test");
  const response = await client.request("/api/openapi.json", { token });
  expect(response.status).toBe(200);
  document = (await response.json()) as OpenApi;
});

afterAll(() => running.stop());

/** Every operation in the document that takes a JSON body, with its path parameters filled in. */
function operationsWithBodies(): { method: string; path: string }[] {
  return Object.entries(document.paths).flatMap(([path, operations]) =>
    Object.entries(operations)
      .filter(([, operation]) => operation.requestBody !== undefined)
      .map(([method]) => ({ method: method.toUpperCase(), path: path.replace(/\{\w+\}/g, "1") })),
  );
}

describe("the OpenAPI document", () => {
  it("is served only to a logged-in caller", async () => {
    expect((await client.request("/api/openapi.json")).status).toBe(401);
    expect(document.openapi).toBe("3.1.0");
  });

  it("describes every route the server has", () => {
    const app = gateway.httpServer.listeners("request")[0] as RequestListener;
    const routes = expressRoutes(app);
    expect(routes.length).toBeGreaterThan(20);
    const missing = routes.filter(({ method, path }) => !document.paths[path.replace(/:(\w+)/g, "{$1}")]?.[method]);
    expect(missing).toEqual([]);
  });

  it("names each path parameter and the role each operation needs", () => {
    const operation = document.paths["/api/accounts/{username}/role"]?.put;
    expect(operation?.parameters).toEqual([expect.objectContaining({ name: "username", in: "path" })]);
    expect(operation?.["x-role"]).toBe("technician");
    expect(document.paths["/api/auth/login"]?.post?.["x-role"]).toBe("public");
  });
});

describe("every route that takes a body", () => {
  it("refuses an unknown field, naming it", async () => {
    const routes = operationsWithBodies();
    expect(routes.length).toBeGreaterThan(5);
    for (const { method, path } of routes) {
      const response = await client.request(path, { method, token, json: { notAField: 1 } });
      const body = (await response.json()) as { error: string; issues?: { path: string }[] };
      expect(response.status, `${method} ${path}`).toBe(400);
      expect(
        body.issues?.map((issue) => issue.path),
        `${method} ${path}`,
      ).toContain("body.notAField");
    }
  });

  it("refuses malformed JSON, a body that is not JSON and an oversized body, saying why", async () => {
    for (const { method, path } of operationsWithBodies()) {
      const send = (contentType: string, body: string) =>
        client.request(path, { method, token, headers: { "content-type": contentType }, body });
      const malformed = await send("application/json", '{"username": ');
      expect(malformed.status, `${method} ${path}`).toBe(400);
      expect(((await malformed.json()) as { error: string }).error).toMatch(/JSON/);

      const form = await send("text/plain", "username=x");
      expect(form.status, `${method} ${path}`).toBe(415);
      expect(((await form.json()) as { error: string }).error).toContain("application/json");

      const oversized = await client.request(path, { method, token, json: { padding: "x".repeat(1_000_000) } });
      expect(oversized.status, `${method} ${path}`).toBe(413);
      expect(((await oversized.json()) as { error: string }).error).toMatch(/too large/);
    }
  });

  it("refuses a wrong type, naming the field and what was expected", async () => {
    const response = await client.request("/api/accounts", {
      method: "POST",
      token,
      json: { username: "ann", password: 12, role: "admin" },
    });
    expect(response.status).toBe(400);
    const { issues } = (await response.json()) as { issues: { path: string; message: string }[] };
    expect(issues.map((issue) => issue.path).sort()).toEqual(["body.password", "body.role"]);
    expect(issues.find((issue) => issue.path === "body.role")?.message).toContain("technician");
  });

  it("refuses a malformed path parameter or an unknown query field", async () => {
    const badId = await client.request("/api/auth/tokens/abc", { method: "DELETE", token });
    expect(badId.status).toBe(400);
    expect(((await badId.json()) as { error: string }).error).toContain("params.id");
    const badQuery = await client.request("/api/audit?limit=5&colour=red", { token });
    expect(badQuery.status).toBe(400);
    expect(((await badQuery.json()) as { error: string }).error).toContain("query.colour: unknown field");
  });
});

import { mkdtempSync, rmSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseGatewayConfig } from "../config.js";
import { startGateway, type Gateway } from "../gateway.js";
import { GatewayClient, sessionCookieOf, TEST_PASSWORD as PASSWORD } from "../../test/gateway-client.js";

let dataDir: string;
let gateway: Gateway;
let client: GatewayClient;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "gateway-http-"));
  gateway = await startGateway(
    parseGatewayConfig({ dataDir, mqtt: { port: 0 }, http: { host: "127.0.0.1", port: 0, allowedHosts: ["gateway.test"] } }),
    pino({ level: "silent" }),
  );
  client = new GatewayClient(gateway.httpPort);
});

afterAll(async () => {
  await gateway.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const request = (...args: Parameters<GatewayClient["request"]>) => client.request(...args);

/** A request as fetch will not send it: from another local address, with any Host header. */
function rawRequest(options: {
  method?: string;
  path: string;
  headers?: Record<string, string | number>;
  body?: string;
  localAddress?: string;
}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = httpRequest(
      {
        host: "127.0.0.1",
        port: gateway.httpPort,
        method: options.method ?? "GET",
        path: options.path,
        headers: options.headers,
        ...(options.localAddress && { localAddress: options.localAddress }),
      },
      (res) => {
        answered = true;
        let body = "";
        const done = () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (body += chunk));
        res.on("end", done);
        // A server that refuses a body may close before reading it all.
        res.on("error", done);
      },
    );
    req.on("error", (error) => (answered ? undefined : reject(error)));
    req.end(options.body);
  });
}
const form = (...args: Parameters<GatewayClient["form"]>) => client.form(...args);

describe("the gateway's HTTP server", () => {
  let technician: string;

  it("answers the health check and nothing else without a login", async () => {
    expect(await (await request("/healthz")).json()).toEqual({ status: "ok" });
    for (const path of [
      "/api/status",
      "/api/accounts",
      "/api/audit",
      "/api/auth/me",
      "/api/nowhere",
      "/metrics",
      "/flows/",
      "/nowhere",
    ]) {
      expect((await request(path)).status, path).toBe(401);
    }
    expect(
      (await request("/api/accounts", { method: "POST", json: { username: "x", password: PASSWORD, role: "technician" } }))
        .status,
    ).toBe(401);
    const home = await request("/");
    expect(home.status).toBe(303);
    expect(home.headers.get("location")).toBe("/pair");
  });

  it("creates the first account, a technician, with the pairing code and no other way", async () => {
    const code = gateway.pairingCode ?? "";
    expect((await form("/pair", { code: "0000-0000-0000", username: "tech", password: PASSWORD })).status).toBe(400);
    const paired = await form("/pair", { code, username: "tech", password: PASSWORD });
    expect(paired.status).toBe(303);
    technician = sessionCookieOf(paired);
    expect(await (await request("/api/auth/me", { cookie: technician })).json()).toEqual({
      username: "tech",
      role: "technician",
      kind: "session",
    });
    expect(gateway.pairingCode).toBeUndefined();
    expect(
      (await request("/api/auth/pair", { method: "POST", json: { code, username: "evil", password: PASSWORD } })).status,
    ).toBe(403);
  });

  it("gives each role what it may do: technicians manage accounts, viewers look", async () => {
    for (const [username, role] of [
      ["ivy", "integrator"],
      ["vic", "viewer"],
    ]) {
      const created = await request("/api/accounts", {
        method: "POST",
        cookie: technician,
        json: { username, password: PASSWORD, role },
      });
      expect(created.status).toBe(201);
    }
    const viewer = await client.login("vic");
    expect((await request("/api/status", { cookie: viewer })).status).toBe(200);
    expect((await request("/api/alerts", { cookie: viewer })).status).toBe(200);
    expect((await request("/api/audit", { cookie: viewer })).status).toBe(403);
    expect(
      (
        await request("/api/accounts", {
          method: "POST",
          cookie: viewer,
          json: { username: "x1", password: PASSWORD, role: "viewer" },
        })
      ).status,
    ).toBe(403);
    const integrator = await client.login("ivy");
    expect((await request("/api/accounts/vic", { method: "DELETE", cookie: integrator })).status).toBe(403);

    const audit = (await (await request("/api/audit", { cookie: technician })).json()) as {
      actor: string;
      action: string;
      target: string;
    }[];
    expect(audit.map(({ actor, action, target }) => `${actor} ${action} ${target}`)).toEqual([
      "tech account.create vic",
      "tech account.create ivy",
      "tech account.create tech",
    ]);
  });

  it("slows password guessing with 429 and Retry-After, and lets the owner in from an address that has not failed", async () => {
    for (let i = 0; i < 3; i++) {
      const response = await request("/api/auth/login", {
        method: "POST",
        json: { username: "vic", password: `guess ${i} wrong` },
      });
      expect(response.status).toBe(401);
    }
    const throttled = await request("/api/auth/login", { method: "POST", json: { username: "vic", password: PASSWORD } });
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get("retry-after"))).toBeGreaterThan(0);
    const owner = await rawRequest({
      method: "POST",
      path: "/api/auth/login",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "vic", password: PASSWORD }),
      localAddress: "127.0.0.2",
    });
    expect(owner.status).toBe(200);
  });

  it("answers only to its own names, so a rebound DNS name reaches nothing (but the health check)", async () => {
    const rebound = { host: `rebound.example:${gateway.httpPort}` };
    expect((await rawRequest({ path: "/login", headers: rebound })).status).toBe(421);
    expect((await rawRequest({ path: "/api/auth/me", headers: { ...rebound, cookie: technician } })).status).toBe(421);
    expect((await rawRequest({ path: "/healthz", headers: rebound })).status).toBe(200);
    expect((await rawRequest({ path: "/login", headers: { host: `gateway.test:${gateway.httpPort}` } })).status).toBe(200);
    expect((await rawRequest({ path: "/login", headers: { host: `localhost:${gateway.httpPort}` } })).status).toBe(200);
    // An allowed Host with an Origin of another name is a cross-site request.
    const crossName = await rawRequest({
      method: "POST",
      path: "/api/auth/tokens",
      headers: {
        host: `127.0.0.1:${gateway.httpPort}`,
        origin: `http://gateway.test:${gateway.httpPort}`,
        cookie: technician,
        "content-type": "application/json",
      },
      body: JSON.stringify({ label: "x" }),
    });
    expect(crossName.status).toBe(403);
  });

  it("refuses bodies over the limit on every route, with 413", async () => {
    const big = "x".repeat(70 * 1024);
    const json = { "content-type": "application/json" };
    const cases = [
      { method: "POST", path: "/api/auth/login", headers: json, body: JSON.stringify({ username: "vic", password: big }) },
      { method: "POST", path: "/api/accounts", headers: { ...json, cookie: technician }, body: JSON.stringify({ big }) },
      {
        method: "POST",
        path: "/login",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: `username=${big}`,
      },
      { method: "GET", path: "/metrics", headers: { cookie: technician, "content-length": big.length }, body: big },
      {
        method: "POST",
        path: "/flows/flows",
        headers: { ...json, cookie: technician },
        body: `[${"1,".repeat(3 * 1024 * 1024)}1]`,
      },
    ];
    for (const { method, path, headers, body } of cases) {
      const answer = await rawRequest({ method, path, headers: { "content-length": Buffer.byteLength(body), ...headers }, body });
      expect(answer.status, `${method} ${path}`).toBe(413);
    }
    // Without a declared length (chunked), the parsers stop at their limit.
    const chunked = await rawRequest({
      method: "POST",
      path: "/api/auth/login",
      headers: { ...json, "transfer-encoding": "chunked" },
      body: JSON.stringify({ username: "vic", password: big }),
    });
    expect(chunked.status).toBe(413);
  });

  it("accepts API tokens as bearer tokens until they are revoked", async () => {
    const issued = await request("/api/auth/tokens", { method: "POST", cookie: technician, json: { label: "console" } });
    expect(issued.status).toBe(201);
    const { token, info } = (await issued.json()) as { token: string; info: { id: number } };
    expect((await request("/api/status", { token })).status).toBe(200);
    const metrics = await request("/metrics", { token });
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain("intelledger_gateway_frames_accepted_total 0");
    expect((await request(`/api/auth/tokens/${info.id}`, { method: "DELETE", token })).status).toBe(204);
    expect((await request("/api/status", { token })).status).toBe(401);
  });

  it("refuses cross-site requests made with the session cookie", async () => {
    const forged = await request("/api/auth/tokens", {
      method: "POST",
      cookie: technician,
      headers: { origin: "http://evil.example" },
      json: { label: "stolen" },
    });
    expect(forged.status).toBe(403);
  });

  it("logs in through the login page, back to a page of this gateway only", async () => {
    const wrong = await form("/login", { username: "ivy", password: "not the password", next: "/flows/" });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain("wrong username or password");
    const right = await form("/login", { username: "ivy", password: PASSWORD, next: "/flows/" });
    expect(right.status).toBe(303);
    expect(right.headers.get("location")).toBe("/flows/");
    const offsite = await form("/login", { username: "ivy", password: PASSWORD, next: "//evil.example/" });
    expect(offsite.headers.get("location")).toBe("/");

    const session = sessionCookieOf(right);
    expect((await form("/logout", {}, session)).status).toBe(303);
    expect((await request("/api/auth/me", { cookie: session })).status).toBe(401);
  });

  it("shows the anomaly model to anyone logged in and lets technicians swap versions, audited", async () => {
    const integrator = await client.login("ivy");
    const shown = await request("/api/inference", { cookie: integrator });
    expect(shown.status).toBe(200);
    expect(await shown.json()).toMatchObject({ enabled: true, model: { version: "spike-level-detector@1" }, versions: [1] });
    expect((await request("/api/inference/swap", { method: "POST", cookie: integrator, json: { version: 1 } })).status).toBe(403);

    const missing = await request("/api/inference/swap", { method: "POST", cookie: technician, json: { version: 9 } });
    expect(missing.status).toBe(400);
    expect(gateway.models?.current?.version).toBe("spike-level-detector@1");
    const swapped = await request("/api/inference/swap", { method: "POST", cookie: technician, json: { version: 1 } });
    expect(swapped.status).toBe(200);
    expect(await swapped.json()).toEqual({ version: "spike-level-detector@1" });
    const audit = (await (await request("/api/audit?limit=1", { cookie: technician })).json()) as {
      action: string;
      target: string;
    }[];
    expect(audit[0]).toMatchObject({ action: "inference.swap", target: "spike-level-detector@1" });
  });
});

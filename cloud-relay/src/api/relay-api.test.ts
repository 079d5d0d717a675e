import { Counter, Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RelayError } from "../errors.js";
import { startRelayApi, type RelayApi } from "./relay-api.js";

describe("relay API", () => {
  let server: RelayApi;
  beforeAll(async () => {
    const registry = new Registry();
    const probe = new Counter({ name: "probe_total", help: "probe", registers: [registry] });
    probe.inc(2);
    server = await startRelayApi({
      host: "127.0.0.1",
      port: 0,
      token: "s3cret",
      registry,
      // Each authorised scrape brings the state up to date first: the scrape below sees 3, not 2.
      refreshMetrics: () => Promise.resolve(probe.inc()),
      receipt: (gatewayId, gatewaySeq) =>
        Promise.reject(new RelayError("not_found", `no batch of gateway ${gatewayId} holds reading ${gatewaySeq}`)),
      fleet: (gatewayId) => Promise.resolve(gatewayId === undefined ? [] : undefined),
      health: {
        health: () => Promise.resolve({ ok: true, checks: { database: { ok: true } } }),
        readiness: () => Promise.resolve({ ok: false, checks: { accepting: { ok: false, error: "stopping" } } }),
      },
    });
  });
  afterAll(() => server.close());

  const get = (path: string, token?: string) =>
    fetch(`http://127.0.0.1:${server.port}${path}`, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });

  it("answers health and readiness checks without a token, 503 when a check fails", async () => {
    const health = await get("/healthz");
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok", checks: { database: { ok: true } } });
    const readiness = await get("/readyz");
    expect(readiness.status).toBe(503);
    expect(await readiness.json()).toEqual({ status: "failing", checks: { accepting: { ok: false, error: "stopping" } } });
  });

  it("refuses metrics without the right token and serves them with it", async () => {
    expect((await get("/metrics")).status).toBe(401);
    expect((await get("/metrics", "wrong")).status).toBe(401);
    const response = await get("/metrics", "s3cret");
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("probe_total 3");
  });

  it("answers receipt requests with the token only, naming what is missing", async () => {
    const path = "/v1/receipts/0x00000000000000000000000000000000000000aa/7";
    expect((await get(path)).status).toBe(401);
    const response = await get(path, "s3cret");
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      error: "no batch of gateway 0x00000000000000000000000000000000000000aa holds reading 7",
    });
  });

  it("lists the fleet with the token only, and names a gateway it does not know", async () => {
    expect((await get("/v1/gateways")).status).toBe(401);
    const list = await get("/v1/gateways", "s3cret");
    expect(await list.json()).toEqual({ gateways: [] });
    const unknown = await get("/v1/gateways/0x00000000000000000000000000000000000000aa", "s3cret");
    expect(unknown.status).toBe(404);
    // Named as the relay stores gateways: checksummed, whatever the spelling asked for.
    expect(await unknown.json()).toEqual({ error: "the relay knows no gateway 0x00000000000000000000000000000000000000AA" });
  });

  it("answers nothing else", async () => {
    expect((await get("/anything", "s3cret")).status).toBe(404);
  });
});

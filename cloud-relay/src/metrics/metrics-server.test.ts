import { Counter, Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMetricsServer, type MetricsServer } from "./metrics-server.js";

describe("metrics server", () => {
  let server: MetricsServer;
  beforeAll(async () => {
    const registry = new Registry();
    new Counter({ name: "probe_total", help: "probe", registers: [registry] }).inc(3);
    server = await startMetricsServer({ host: "127.0.0.1", port: 0, token: "s3cret", registry });
  });
  afterAll(() => server.close());

  const get = (path: string, token?: string) =>
    fetch(`http://127.0.0.1:${server.port}${path}`, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });

  it("answers health checks without a token", async () => {
    expect((await get("/healthz")).status).toBe(200);
  });

  it("refuses metrics without the right token and serves them with it", async () => {
    expect((await get("/metrics")).status).toBe(401);
    expect((await get("/metrics", "wrong")).status).toBe(401);
    const response = await get("/metrics", "s3cret");
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("probe_total 3");
  });

  it("answers nothing else", async () => {
    expect((await get("/anything", "s3cret")).status).toBe(404);
  });
});

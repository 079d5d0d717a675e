import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { until } from "@intelledger/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseGatewayConfig, type GatewayConfig, type GatewayConfigInput } from "../config.js";
import { startGateway, type Gateway } from "../gateway.js";
import { GatewayClient } from "../../test/gateway-client.js";
import { quietGatewayConfigInput } from "../../test/test-gateway.js";

const logger = pino({ level: "silent" });
let dataDir: string;
let fileConfig: GatewayConfigInput;
let gateway: Gateway;
let client: GatewayClient;
let token: string;

async function api<T>(path: string, init: { method?: string; json?: unknown } = {}): Promise<{ status: number; body: T }> {
  const response = await client.request(path, { ...init, token });
  return { status: response.status, body: (await response.json()) as T };
}

const currentConfig = async () => (await api<{ revision: number; config: GatewayConfig }>("/api/config")).body;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "gateway-config-"));
  fileConfig = quietGatewayConfigInput(dataDir, { configApply: { watchMs: 1_000 } });
  gateway = await startGateway(parseGatewayConfig(fileConfig), logger);
  client = new GatewayClient(gateway.httpPort);
  token = await client.apiToken(await client.pair(gateway.pairingCode ?? "", "tech"), "config test");
});

afterAll(async () => {
  await gateway.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("the configuration as one document", () => {
  it("is read with every default filled in, and described by its JSON Schema", async () => {
    const { revision, config } = await currentConfig();
    expect(revision).toBe(1);
    expect(config.batching.maxAgeMs).toBe(2_000);
    expect(config.dataDir).toBe(dataDir);
    const schema = (await api<{ properties: Record<string, { "x-apply": string }> }>("/api/config/schema")).body;
    expect(schema.properties.relay?.["x-apply"]).toBe("live");
  });

  it("refuses a bad value or an unknown field, naming the field, without applying anything", async () => {
    const { config } = await currentConfig();
    const validated = await api<{ valid: boolean; issues: { path: string }[] }>("/api/config/validate", {
      method: "POST",
      json: { config: { ...config, batching: { maxAgeMs: 1, colour: "red" } } },
    });
    expect(validated.body.valid).toBe(false);
    expect(validated.body.issues.map((issue) => issue.path).sort()).toEqual(["batching.colour", "batching.maxAgeMs"]);

    const applied = await api<{ error: string }>("/api/config", {
      method: "PUT",
      json: { config: { ...config, relay: { address: "no port here", caCertFile: "a", certFile: "b", keyFile: "c" } } },
    });
    expect(applied.status).toBe(400);
    expect(applied.body.error).toContain("body.config.relay.address: must be host:port");
    expect((await currentConfig()).revision).toBe(1);
  });

  it("shows what would change and how, then applies live changes at once, audited with before and after", async () => {
    const { config } = await currentConfig();
    const next = {
      ...config,
      batching: { ...config.batching, maxAgeMs: 500 },
      ingest: { ...config.ingest, admission: { ...config.ingest.admission, burst: 80 } },
    };
    const diff = await api<{ mode: string; changes: { path: string; before: unknown; after: unknown; apply: string }[] }>(
      "/api/config/diff",
      { method: "POST", json: { config: next } },
    );
    expect(diff.body.mode).toBe("live");
    expect(diff.body.changes).toEqual([
      expect.objectContaining({ path: "ingest.admission.burst", before: 40, after: 80, apply: "live" }),
      expect.objectContaining({ path: "batching.maxAgeMs", before: 2_000, after: 500, apply: "live" }),
    ]);

    const applied = await api<{ revision: number; mode: string }>("/api/config", {
      method: "PUT",
      json: { config: next, comment: "faster batches" },
    });
    expect(applied.status).toBe(200);
    expect(applied.body).toMatchObject({ revision: 2, mode: "live" });
    expect((await currentConfig()).config.batching.maxAgeMs).toBe(500);

    const busy = await api<{ error: string }>("/api/config", { method: "PUT", json: { config } });
    expect(busy.status).toBe(409);
    await gateway.management.settled();
    const history = (await api<{ revision: number; status: string; current: boolean }[]>("/api/config/history")).body;
    expect(history.slice(0, 2)).toEqual([
      expect.objectContaining({ revision: 2, status: "kept", current: true }),
      expect.objectContaining({ revision: 1, status: "kept", current: false }),
    ]);
    const [entry] = (await api<{ action: string; actor: string; details: { changes: unknown[] } }[]>("/api/audit?limit=1")).body;
    expect(entry).toMatchObject({ action: "config.apply", actor: "tech" });
    expect(entry?.details.changes).toContainEqual(
      expect.objectContaining({ path: "batching.maxAgeMs", before: 2_000, after: 500 }),
    );
  });

  it("rolls back at once, and audits why, a change that cannot be put in force", async () => {
    const { config } = await currentConfig();
    const missing = join(dataDir, "no-such-file.pem");
    const refused = await api<{ error: string }>("/api/config", {
      method: "PUT",
      json: {
        config: { ...config, relay: { address: "127.0.0.1:1", caCertFile: missing, certFile: missing, keyFile: missing } },
      },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatch(/revision 3 was rolled back: applying it failed: .*no-such-file/);
    expect((await currentConfig()).revision).toBe(2);
    const [rollback] = (await api<{ action: string; actor: string; details: { reason: string } }[]>("/api/audit?limit=1")).body;
    expect(rollback).toMatchObject({ action: "config.rollback", actor: "system" });
    expect(gateway.snapshot().uplink).toBeUndefined();
  });

  it("applies a change that needs a restart by restarting the gateway's parts in this process", async () => {
    const { config } = await currentConfig();
    const applied = await api<{ mode: string; revision: number }>("/api/config", {
      method: "PUT",
      json: { config: { ...config, http: { ...config.http, sessionTtlMinutes: 60 } } },
    });
    expect(applied.body).toMatchObject({ mode: "restart", revision: 4 });
    // The HTTP server restarts meanwhile: a request it refuses is asked again.
    await until(
      () =>
        currentConfig().then(
          ({ config }) => config.http.sessionTtlMinutes === 60,
          () => false,
        ),
      "the HTTP server back with the new session length",
      20_000,
      100,
    );
    expect(gateway.httpPort).toBe(client.base.split(":").map(Number).at(-1));
    await until(
      () =>
        api<{ status: string }[]>("/api/config/history").then(
          ({ body }) => body[0]?.status === "kept",
          () => false,
        ),
      "the revision kept",
      20_000,
      100,
    );
  });

  it("keeps the applied configuration across a restart, unless the file changed", async () => {
    await gateway.stop();
    gateway = await startGateway(parseGatewayConfig(fileConfig), logger);
    client = new GatewayClient(gateway.httpPort);
    expect((await currentConfig()).config).toMatchObject({ batching: { maxAgeMs: 500 }, http: { sessionTtlMinutes: 60 } });

    await gateway.stop();
    fileConfig = { ...fileConfig, batching: { maxAgeMs: 750 } };
    gateway = await startGateway(parseGatewayConfig(fileConfig), logger);
    client = new GatewayClient(gateway.httpPort);
    const started = await currentConfig();
    expect(started.revision).toBe(5);
    expect(started.config).toMatchObject({ batching: { maxAgeMs: 750 }, http: { sessionTtlMinutes: 720 } });
  });

  it("reverts to an earlier revision", async () => {
    const reverted = await api<{ revision: number; mode: string }>("/api/config/revert", {
      method: "POST",
      json: { revision: 2, comment: "back to the tuned batches" },
    });
    expect(reverted.body).toMatchObject({ revision: 6, mode: "live" });
    expect((await currentConfig()).config.batching.maxAgeMs).toBe(500);
    const revision = (await api<{ origin: string; restores: number }>("/api/config/history/6")).body;
    expect(revision).toMatchObject({ origin: "revert", restores: 2 });
    await gateway.management.settled();
  });
});

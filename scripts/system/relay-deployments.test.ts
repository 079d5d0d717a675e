import { generateKeyPairSync, sign } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { loadOrCreateGatewayIdentity } from "@intelledger/gateway";
import { takePort } from "@intelledger/test-support";
import { describe, expect, it } from "vitest";
import { quietGatewayConfig } from "../../gateway/test/test-gateway.js";
import { relayTestConfig, uplinkTo } from "./service-configs.js";
import { waitFor } from "./soak-helpers.js";
import { useSystemTestRig } from "./system-test-rig.js";

interface GatewayStatus {
  gatewayId: string;
  desiredVersion?: number;
  appliedVersion?: number;
  reported?: { version: number; outcome: string; detail: string; revision: number };
}

describe("desired state from the relay: deployments published by operators, applied and reported by gateways", () => {
  const rig = useSystemTestRig("edge-deployments-");
  const { dir } = rig;

  it("applies a fleet deployment, rolls back and reports a bad one, refuses an invalid one and one the relay's key did not sign", async () => {
    const { chain, tls } = await rig.startChainWithPki("pki");
    const relayDir = join(dir, "relay");
    const relay = await rig.startRelay({
      ...relayTestConfig(relayDir, 0, tls.relay, chain),
      enrollment: { host: "127.0.0.1", port: 0, caKeyFile: tls.caKeyFile },
    });
    const token = readFileSync(join(relayDir, "api.token"), "utf8").trim();
    const relayApi = async <T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> => {
      const response = await fetch(`http://127.0.0.1:${relay.apiPort}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
      return { status: response.status, body: (await response.json()) as T };
    };

    const dataDir = join(dir, "gateway");
    const gatewayId = loadOrCreateGatewayIdentity(dataDir).address;
    const running = await rig.startGateway(
      quietGatewayConfig(dataDir, {
        configApply: { watchMs: 1_500, uplinkWithinMs: 1_000 },
        relay: uplinkTo(relay.port, await tls.issueGatewayCertificate(gatewayId), { deploymentPollMs: 200 }),
      }),
    );
    const statusOf = async () =>
      (await relayApi<GatewayStatus[]>("GET", "/v1/deployments/status")).body.find((entry) => entry.gatewayId === gatewayId);
    const reported = async (version: number): Promise<GatewayStatus> => {
      let status: GatewayStatus | undefined;
      const deadline = Date.now() + 60_000;
      while ((status = await statusOf())?.reported?.version !== version) {
        if (Date.now() > deadline) throw new Error(`no report of version ${version}: ${JSON.stringify(status)}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return status as GatewayStatus;
    };

    // Only with the relay's token.
    expect((await fetch(`http://127.0.0.1:${relay.apiPort}/v1/deployments/status`)).status).toBe(401);
    expect((await relayApi("PUT", "/v1/deployments/fleet", { config: { dataDir: "/elsewhere" } })).status).toBe(400);

    // 1. The fleet's deployment: applied live and kept.
    const first = await relayApi<{ version: number }>("PUT", "/v1/deployments/fleet", {
      config: { batching: { maxAgeMs: 750 } },
    });
    expect(first).toMatchObject({ status: 201, body: { version: 1, target: "fleet" } });
    const applied = await reported(1);
    expect(applied).toMatchObject({ desiredVersion: 1, reported: { outcome: "applied" } });
    expect(running.management.current.config.batching.maxAgeMs).toBe(750);
    expect(running.management.revision(applied.reported?.revision ?? 0)).toMatchObject({
      actor: "relay:deployment",
      status: "kept",
    });
    await waitFor(() => running.snapshot().uplink?.state === "uploading", 30_000, "the uplink up");

    // 2. One for this gateway alone that cannot start (its HTTP port is taken): rolled back, reported.
    const taken = rig.own(await takePort(), (port) => port.release());
    await relayApi("PUT", `/v1/deployments/${gatewayId}`, { config: { http: { port: taken.port, fallbackToFreePort: false } } });
    const rolledBack = await reported(2);
    expect(rolledBack.reported).toMatchObject({ outcome: "rolled-back" });
    expect(rolledBack.reported?.detail).toMatch(/EADDRINUSE|in use/);
    expect(running.management.current.config.http.port).not.toBe(taken.port);
    expect(running.management.current.config.batching.maxAgeMs).toBe(750);
    expect(running.health()).toMatchObject({ ingestRunning: true, databaseWritable: true });

    // 3. One whose configuration is not valid: not applied, reported with the field.
    await relayApi("PUT", `/v1/deployments/${gatewayId}`, { config: { batching: { maxAgeMs: "soon" } } });
    const invalid = await reported(3);
    expect(invalid.reported).toMatchObject({ outcome: "invalid" });
    expect(invalid.reported?.detail).toMatch(/batching\.maxAgeMs/);

    // 4. One the relay's deployment key did not sign (written into its store by someone else): refused.
    const forger = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const forged = Buffer.from(
      JSON.stringify({ version: 4, target: gatewayId, publishedAtMs: Date.now(), config: { batching: { maxAgeMs: 10 } } }),
    );
    const store = new Database(join(relayDir, "deployments.sqlite"));
    store
      .prepare("INSERT INTO deployments (version, target, published_at_ms, document, signature) VALUES (4, ?, ?, ?, ?)")
      .run(gatewayId, Date.now(), forged, sign("sha256", forged, forger.privateKey));
    store.close();
    let afterForgery: GatewayStatus | undefined;
    const deadline = Date.now() + 60_000;
    while ((afterForgery = await statusOf())?.reported?.outcome !== "refused") {
      if (Date.now() > deadline) throw new Error(`the forged deployment was not refused: ${JSON.stringify(afterForgery)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(afterForgery?.reported?.detail).toMatch(/signature does not verify/);
    expect(afterForgery).toMatchObject({ desiredVersion: 4, appliedVersion: 1 });
    expect(running.management.current.config.batching.maxAgeMs).toBe(750);

    const listed = await relayApi<{ version: number; target: string }[]>("GET", "/v1/deployments");
    expect(listed.body.map(({ version, target }) => ({ version, target }))).toEqual([
      { version: 1, target: "fleet" },
      { version: 4, target: gatewayId },
    ]);
  }, 240_000);
});

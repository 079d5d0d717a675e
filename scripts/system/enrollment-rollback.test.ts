import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { EnrollmentInvitation } from "@intelledger/cloud-relay";
import type { GatewayConfig } from "@intelledger/gateway";
import { SimulatedDevice } from "@intelledger/test-support";
import { describe, expect, it } from "vitest";
import { GatewayClient } from "../../gateway/test/gateway-client.js";
import { quietGatewayConfig } from "../../gateway/test/test-gateway.js";
import { relayTestConfig } from "./service-configs.js";
import { waitFor } from "./soak-helpers.js";
import { useSystemTestRig } from "./system-test-rig.js";

const UPLINK_WITHIN_MS = 3_000;

describe("a fresh gateway enrolls with a running relay, and rolls back a change that breaks its uplink", () => {
  const rig = useSystemTestRig("edge-enroll-");
  const { dir } = rig;

  it("enrolls over the API with a one-time token, uploads, and is rolled back when a change breaks the uplink", async () => {
    const { chain, tls } = await rig.startChainWithPki("relay-pki");
    const relay = await rig.startRelay({
      ...relayTestConfig(join(dir, "relay"), 0, tls.relay, chain),
      enrollment: { host: "127.0.0.1", port: 0, caKeyFile: tls.caKeyFile },
    });
    const gateway = await rig.startGateway(
      quietGatewayConfig(join(dir, "gateway"), {
        batching: { maxReadings: 16, maxAgeMs: 200 },
        configApply: { watchMs: 6_000, uplinkWithinMs: UPLINK_WITHIN_MS },
      }),
    );
    const client = new GatewayClient(gateway.httpPort);
    const token = await client.apiToken(await client.pair(gateway.pairingCode ?? "", "tech"), "enrollment test");
    async function api<T>(path: string, init: { method?: string; json?: unknown } = {}): Promise<{ status: number; body: T }> {
      const response = await fetch(`http://127.0.0.1:${gateway.httpPort}${path}`, {
        method: init.method ?? "GET",
        headers: { authorization: `Bearer ${token}`, ...(init.json !== undefined && { "content-type": "application/json" }) },
        ...(init.json !== undefined && { body: JSON.stringify(init.json) }),
      });
      return { status: response.status, body: (await response.json()) as T };
    }

    async function invitation(): Promise<EnrollmentInvitation> {
      const response = await fetch(`http://127.0.0.1:${relay.apiPort}/v1/enrollment-tokens`, {
        method: "POST",
        headers: { authorization: `Bearer ${readFileSync(join(dir, "relay", "api.token"), "utf8").trim()}` },
      });
      expect(response.status).toBe(201);
      return (await response.json()) as EnrollmentInvitation;
    }

    const invited = await invitation();
    const relayAddress = `127.0.0.1:${invited.enrollmentPort}`;
    const wrongCa = await api<{ error: string }>("/api/uplink/enroll", {
      method: "POST",
      json: { relayAddress, token: invited.token, relayCaFingerprint: "ab".repeat(32) },
    });
    expect(wrongCa.status).toBe(400);
    expect(wrongCa.body.error).toContain(`the relay's CA has fingerprint ${invited.relayCaFingerprint}`);

    const enrolled = await api<{ relay: GatewayConfig["relay"] & object; certificate: { subject: string }; mode: string }>(
      "/api/uplink/enroll",
      { method: "POST", json: { relayAddress, token: invited.token, relayCaFingerprint: invited.relayCaFingerprint } },
    );
    expect(enrolled.status).toBe(200);
    expect(enrolled.body.mode).toBe("live");
    expect(enrolled.body.certificate.subject).toBe(`CN=${gateway.id}`);
    expect(enrolled.body.relay.address).toBe(`127.0.0.1:${relay.port}`);
    expect(statSync(enrolled.body.relay.keyFile).mode & 0o777).toBe(0o600);

    const reused = await api<{ error: string }>("/api/uplink/enroll", {
      method: "POST",
      json: { relayAddress, token: invited.token, relayCaFingerprint: invited.relayCaFingerprint },
    });
    expect(reused.status).toBe(400);
    expect(reused.body.error).toContain("enrollment token already used");

    const device = rig.own(new SimulatedDevice("enrolled-01"), (simulated) => simulated.stop());
    gateway.devices.register(device.deviceId, device.publicKeyPoint);
    await device.connect(`mqtt://127.0.0.1:${gateway.mqttPort}`, gateway.devices.issueMqttCredentials(device.deviceId));
    for (let frame = 0; frame < 20; frame++) await device.publishFrame();
    // Every frame's readings stored at the gateway and then at the relay (a frame's acknowledgement
    // may come before its readings are batched, so the two totals meet only once all are sent).
    await waitFor(
      async () =>
        gateway.snapshot().readingsStored >= 20 &&
        gateway.snapshot().backlog.batches === 0 &&
        (await relay.snapshot()).uploads.readingsStored === gateway.snapshot().readingsStored,
      30_000,
      "every reading stored at the relay",
    );
    await gateway.management.settled();

    const { config } = (await api<{ config: GatewayConfig }>("/api/config")).body;
    const closedPort = { ...config, relay: { ...config.relay, address: "127.0.0.1:9" } };
    const appliedAt = Date.now();
    const broken = await api<{ mode: string; revision: number }>("/api/config", { method: "PUT", json: { config: closedPort } });
    expect(broken.body.mode).toBe("live");
    await waitFor(() => gateway.management.current.revision !== broken.body.revision, 20_000, "the rollback");
    const rolledBackAfterMs = Date.now() - appliedAt;
    expect(rolledBackAfterMs).toBeLessThan(UPLINK_WITHIN_MS + 2_000);
    const revision = (await api<{ status: string; rollbackReason: string }>(`/api/config/history/${broken.body.revision}`)).body;
    expect(revision.status).toBe("rolled-back");
    expect(revision.rollbackReason).toContain("uplink was up before and is not back");
    const [audited] = (await api<{ action: string; actor: string; details: { reason: string } }[]>("/api/audit?limit=1")).body;
    expect(audited).toMatchObject({ action: "config.rollback", actor: "system" });
    await waitFor(() => gateway.snapshot().uplink?.state === "uploading", 10_000, "the uplink back");
    console.log(`rolled back ${rolledBackAfterMs} ms after the apply (uplinkWithinMs ${UPLINK_WITHIN_MS})`);
  }, 180_000);
});

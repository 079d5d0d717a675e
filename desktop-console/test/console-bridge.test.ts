import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SimulatedDevice, until } from "@intelledger/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BridgeEvent } from "../src/shared/bridge-types.js";
import { BridgeRouter } from "../src/main/bridge-router.js";
import { ConsoleServices } from "../src/main/console-services.js";
import { AesSecretStorage } from "./support/aes-secret-storage.js";
import { TEST_PASSWORD } from "../../gateway/test/gateway-client.js";
import { startTestGateway } from "../../gateway/test/test-gateway.js";

let dir: string;
let running: Awaited<ReturnType<typeof startTestGateway>>;
let services: ConsoleServices;
let router: BridgeRouter;
const events: BridgeEvent[] = [];
const device = new SimulatedDevice("bridge-1");

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "console-bridge-"));
  running = await startTestGateway();
  services = new ConsoleServices({
    profilesFile: join(dir, "connections.json"),
    secrets: new AesSecretStorage(),
    emit: (event) => events.push(event),
    tokenLabel: "bridge test",
  });
  router = new BridgeRouter(services.handlers);
});

afterAll(async () => {
  services.close();
  await device.stop();
  await running.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("the main process's end of the bridge", () => {
  it("refuses unknown requests and inputs of the wrong shape, naming the field, before any service runs", async () => {
    expect(await router.handle("fs.readFile", { path: "/etc/passwd" })).toEqual({
      ok: false,
      error: { message: 'unknown request "fs.readFile"', code: "unknown_channel" },
    });
    expect(await router.handle({ toString: "x" }, {})).toMatchObject({ ok: false, error: { code: "unknown_channel" } });
    expect(await router.handle("__proto__", {})).toMatchObject({ ok: false, error: { code: "unknown_channel" } });
    expect(
      await router.handle("usb.provision", { port: 7, deviceId: "x y", samplingIntervalMs: "fast", link: "zigbee" }),
    ).toMatchObject({
      ok: false,
      error: {
        code: "invalid_input",
        issues: [
          { path: "port", message: expect.any(String) as string },
          { path: "deviceId", message: "must be 1 to 31 characters of A-Z a-z 0-9 . _ -" },
          { path: "samplingIntervalMs" },
          { path: "link" },
        ],
      },
    });
    expect(await router.handle("config.revert", { revision: 1, extra: true })).toMatchObject({
      ok: false,
      error: { code: "invalid_input", issues: [{ path: "" }] },
    });
    expect(
      await router.handle("session.pair", { gatewayUrl: "file:///etc", code: "x", username: "a", password: "b" }),
    ).toMatchObject({ ok: false, error: { code: "invalid_input", issues: [{ path: "gatewayUrl" }] } });
    expect(await router.handle("devices.list", null)).toMatchObject({ ok: false, error: { code: "invalid_input" } });
    expect(await router.handle("proofs.verify", { gatewaySeq: "5", rpcUrl: "file:///etc/passwd" })).toMatchObject({
      ok: false,
      error: { code: "invalid_input", issues: [{ path: "gatewaySeq" }, { path: "rpcUrl" }] },
    });
    expect(await router.handle("devices.command", { deviceId: "press-07", action: { type: "erase-flash" } })).toMatchObject({
      ok: false,
      error: { code: "invalid_input", issues: [{ path: "action.type" }] },
    });
    expect(
      await router.handle("devices.command", { deviceId: "press-07", action: { type: "reboot", intervalMs: 5 } }),
    ).toMatchObject({ ok: false, error: { code: "invalid_input" } });
  });

  it("asks for a connection before talking to a gateway", async () => {
    expect(await router.handle("devices.list", {})).toEqual({
      ok: false,
      error: { message: "no gateway connected: connect to one first", code: "failed" },
    });
  });

  it("pairs, keeps the token encrypted and out of the renderer's answers, then serves the gateway's API and live stream", async () => {
    const paired = await router.handle("session.pair", {
      gatewayUrl: running.url,
      code: running.gateway.pairingCode ?? "",
      username: "tech",
      password: TEST_PASSWORD,
    });
    expect(paired).toMatchObject({ ok: true, value: { role: "technician", profile: { gatewayUrl: running.url } } });
    expect(JSON.stringify(paired)).not.toContain("ilt_");
    expect(readFileSync(join(dir, "connections.json"), "utf8")).not.toContain("ilt_");
    expect(services.connectedOrigin).toBe(running.url);

    running.gateway.devices.register(device.deviceId, device.publicKeyPoint);
    await device.connect(
      `mqtt://127.0.0.1:${running.gateway.mqttPort}`,
      running.gateway.devices.issueMqttCredentials(device.deviceId),
    );
    expect(await router.handle("live.start", {})).toEqual({ ok: true, value: null });
    await until(() => events.some((event) => event.kind === "live-state" && event.state === "open"), "the stream open");
    await device.publishFrame();
    await until(
      () => events.some((event) => event.kind === "live" && event.type === "reading" && event.data["deviceId"] === "bridge-1"),
      "a reading of bridge-1",
    );

    const listed = await router.handle("devices.list", {});
    expect(listed).toMatchObject({ ok: true, value: [{ deviceId: "bridge-1", status: "active" }] });

    // A gateway's refusal comes back with its fields.
    const current = await router.handle("config.get", {});
    const config = current.ok ? (current.value as { config: Record<string, unknown> }).config : {};
    const invalid = await router.handle("config.validate", { config: { ...config, batching: { maxAgeMs: -1 } } });
    expect(invalid).toEqual({
      ok: true,
      value: { valid: false, issues: [{ path: "batching.maxAgeMs", message: expect.stringMatching(/>=10/) as string }] },
    });
    const refused = await router.handle("devices.action", { deviceId: "nobody", action: "release" });
    expect(refused).toMatchObject({ ok: false, error: { code: "404" } });
    // The gateway's batches, and a receipt it cannot fetch without its relay's API, saying which field to set.
    expect(await router.handle("proofs.batches", { limit: 5 })).toEqual({
      ok: true,
      value: { batches: expect.any(Array) as unknown, receipts: { fromRelay: false } },
    });
    expect(await router.handle("proofs.receipt", { gatewaySeq: 1 })).toMatchObject({
      ok: false,
      error: { code: "409", message: expect.stringMatching(/enroll it with a relay/) as string },
    });

    // Reopened from its profile, as at the next start of the app.
    const profiles = await router.handle("profiles.list", {});
    const id = profiles.ok ? (profiles.value as { id: string }[])[0]?.id : undefined;
    await router.handle("session.close", {});
    expect(await router.handle("session.open", { id })).toMatchObject({ ok: true, value: { role: "technician" } });
    expect(await router.handle("devices.list", {})).toMatchObject({ ok: true });
  });
});

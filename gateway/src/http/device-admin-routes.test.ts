import { Channel } from "@intelledger/proto/device";
import { signKeyHandover, verifyKeyHandover } from "@intelledger/proto/key-handover";
import { generateDeviceKeys, signFrame, SimulatedDevice, until, type DeviceKeys } from "@intelledger/test-support";
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Gateway } from "../gateway.js";
import type { DeviceView } from "../devices/device-lifecycle.js";
import { GatewayClient } from "../../test/gateway-client.js";
import { LiveClient } from "../../test/live-client.js";
import { startTestGateway, type TestGateway } from "../../test/test-gateway.js";

let running: TestGateway;
let gateway: Gateway;
let client: GatewayClient;
let token: string;
let viewerToken: string;
const live = new LiveClient();
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

async function call(method: string, path: string, json?: unknown, as = token) {
  const response = await client.request(path, { method, token: as, ...(json === undefined ? {} : { json }) });
  const text = await response.text();
  return { status: response.status, body: (text === "" ? undefined : JSON.parse(text)) as Record<string, unknown> };
}

/** The device events the live stream sent about one device, in order. */
const deviceChanges = (id: string) =>
  live
    .of("device")
    .filter((event) => event.data.deviceId === id)
    .map((event) => event.data.state);

const device = async (id: string) => (await call("GET", `/api/devices/${id}`)).body as unknown as DeviceView;

/** Registers a simulated device over the API and connects it with the MQTT login it was given. */
async function registered(id: string, keys?: DeviceKeys): Promise<SimulatedDevice> {
  const simulated = new SimulatedDevice(id, keys ? { keys } : {});
  const answer = await call("POST", "/api/devices", { deviceId: id, publicKey: hex(simulated.publicKeyPoint) });
  expect(answer.status).toBe(201);
  await simulated.connect(
    `mqtt://127.0.0.1:${gateway.mqttPort}`,
    answer.body.mqttLogin as { username: string; password: string },
  );
  return simulated;
}

/** A frame of `id` signed by `keys`, one temperature sample of `celsius`. */
function frameBytes(id: string, keys: DeviceKeys, counter: number, celsius = 21.5): Uint8Array {
  return signFrame(
    {
      deviceId: id,
      counter,
      deviceTimeMs: Date.now(),
      uptimeMs: 1_000 + counter,
      samples: [{ channel: Channel.CHANNEL_TEMPERATURE, index: 0, timestampMs: Date.now(), value: celsius * 100, scale: 2 }],
    },
    keys.privateKey,
  );
}

const devicesToStop: SimulatedDevice[] = [];

beforeAll(async () => {
  running = await startTestGateway({ ingest: { admission: { maxFailures: 3 } }, batching: { maxAgeMs: 200 } });
  gateway = running.gateway;
  client = new GatewayClient(gateway.httpPort);
  ({ technician: token, viewer: viewerToken } = await client.pairWithViewer(gateway.pairingCode ?? "", "device test"));
  await live.open(`http://127.0.0.1:${gateway.httpPort}/api/live?types=device`, token);
});

afterAll(async () => {
  await live.close();
  for (const simulated of devicesToStop) await simulated.stop();
  await running.stop();
});

describe("devices over the admin API", () => {
  it("registers a device whose MQTT login works, and lists what it does", async () => {
    const line = await registered("line-1");
    devicesToStop.push(line);
    for (let i = 0; i < 3; i++) await line.publishFrame();
    await until(async () => (await device("line-1")).activity.framesAccepted === 3, "line-1: activity.framesAccepted === 3");
    const view = await device("line-1");
    expect(view).toMatchObject({
      status: "active",
      publicKey: hex(line.publicKeyPoint),
      lastCounter: "3",
      mqttLogin: true,
      transport: "mqtt",
      quarantine: { quarantined: false, remainingMs: 0 },
      activity: { framesAccepted: 3, readingsAccepted: 9, framesMissed: 0, rejected: {} },
    });
    expect(view.lastSeenMs).toBeGreaterThan(Date.now() - 10_000);
    await until(
      async () => (await device("line-1")).activity.readingsPerSecond > 0,
      "line-1: activity.readingsPerSecond > 0",
      5_000,
    );

    const listed = await call("GET", "/api/devices", undefined, viewerToken);
    expect(listed.status).toBe(200);
    expect((listed.body as unknown as DeviceView[]).map((each) => each.deviceId)).toContain("line-1");
    expect((await call("POST", "/api/devices/line-1/deactivate", {}, viewerToken)).status).toBe(403);
    expect(gateway.audit.list({ limit: 5 }).find((entry) => entry.action === "device.register")).toMatchObject({
      actor: "tech",
      target: "line-1",
      details: { before: null, after: { publicKey: hex(line.publicKeyPoint), status: "active" } },
    });
  });

  it("refuses to register an id twice, and says how to renew the login instead", async () => {
    const again = await call("POST", "/api/devices", { deviceId: "line-1", publicKey: hex(generateDeviceKeys().publicKeyPoint) });
    expect(again.status).toBe(409);
    expect(again.body.error).toContain("/api/devices/line-1/mqtt-login");
    const renewed = await call("POST", "/api/devices/line-1/mqtt-login", {});
    expect(renewed.status).toBe(200);
    expect(renewed.body).toMatchObject({ username: "line-1", password: expect.stringMatching(/^ilm_/) as string });
  });

  it("deactivates and reactivates a device, counting the frames it refused meanwhile by reason", async () => {
    const keys = generateDeviceKeys();
    const press = await registered("press-2", keys);
    devicesToStop.push(press);
    expect((await call("POST", "/api/devices/press-2/deactivate", { comment: "maintenance" })).body).toMatchObject({
      status: "inactive",
    });
    expect((await call("POST", "/api/devices/press-2/deactivate", {})).status).toBe(409);
    await press.publishFrame();
    await until(
      async () => (await device("press-2")).activity.rejected.inactive_device === 1,
      "press-2: activity.rejected.inactive_device === 1",
    );
    expect((await call("POST", "/api/devices/press-2/reactivate", {})).body).toMatchObject({ status: "active" });
    await press.publishFrame();
    await until(async () => (await device("press-2")).activity.framesAccepted === 1, "press-2: activity.framesAccepted === 1");
    const entries = gateway.audit.list({ limit: 10 }).filter((entry) => entry.target === "press-2");
    expect(entries.find((entry) => entry.action === "device.deactivate")?.details).toEqual({
      before: { status: "active" },
      after: { status: "inactive" },
    });
    expect(entries.find((entry) => entry.action === "device.reactivate")?.details).toEqual({
      before: { status: "inactive" },
      after: { status: "active" },
    });
  });

  it("shows a quarantine and releases it on a technician's word", async () => {
    const keys = generateDeviceKeys();
    const faulty = await registered("faulty-3", keys);
    devicesToStop.push(faulty);
    // 900 °C: implausible samples the device signed itself count towards its quarantine.
    for (let counter = 1; counter <= 3; counter++) await faulty.publishFrame(frameBytes("faulty-3", keys, counter, 900));
    await until(async () => (await device("faulty-3")).quarantine.quarantined, "faulty-3: quarantine.quarantined");
    const quarantined = await device("faulty-3");
    expect(quarantined.activity.rejected).toEqual({ invalid_sample: 3 });
    expect(quarantined.quarantine.remainingMs).toBeGreaterThan(200_000);

    const released = await call("POST", "/api/devices/faulty-3/release", {});
    expect(released.status).toBe(200);
    expect(released.body).toMatchObject({ quarantine: { quarantined: false } });
    expect((await call("POST", "/api/devices/faulty-3/release", {})).status).toBe(409);
    await faulty.publishFrame(frameBytes("faulty-3", keys, 4));
    await until(async () => (await device("faulty-3")).activity.framesAccepted === 1, "faulty-3: activity.framesAccepted === 1");
    expect(gateway.audit.list({ limit: 5 }).find((entry) => entry.action === "device.quarantine.release")?.details).toMatchObject(
      { before: { quarantined: true }, after: { quarantined: false } },
    );
    await until(
      () => live.of("device").some((event) => event.data.deviceId === "faulty-3" && event.data.state === "released"),
      "faulty-3 released on the live stream",
    );
    expect(deviceChanges("faulty-3")).toEqual(["registered", "quarantined", "released"]);
  });

  it("rotates a key on the old key's signature, keeps the old key on record and ingests on", async () => {
    const oldKeys = generateDeviceKeys();
    const meter = await registered("meter-4", oldKeys);
    devicesToStop.push(meter);
    await meter.publishFrame(frameBytes("meter-4", oldKeys, 1));
    const newKeys = generateDeviceKeys();
    const signature = signKeyHandover(oldKeys.privateKey, "meter-4", newKeys.publicKeyPoint);

    const forged = signKeyHandover(newKeys.privateKey, "meter-4", newKeys.publicKeyPoint);
    const refused = await call("POST", "/api/devices/meter-4/rotate-key", {
      publicKey: hex(newKeys.publicKeyPoint),
      signature: hex(forged),
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatch(/handover signature does not verify/);

    const rotated = await call("POST", "/api/devices/meter-4/rotate-key", {
      publicKey: hex(newKeys.publicKeyPoint),
      signature: hex(signature),
    });
    expect(rotated.status).toBe(200);
    expect(rotated.body).toMatchObject({ publicKey: hex(newKeys.publicKeyPoint), lastCounter: "1" });
    // The new key carries on from the device's counter. A frame the old key signed before the switch is
    // still taken; once the new key signed one, the old key's frames no longer verify.
    await meter.publishFrame(frameBytes("meter-4", oldKeys, 2));
    await meter.publishFrame(frameBytes("meter-4", newKeys, 3));
    await meter.publishFrame(frameBytes("meter-4", oldKeys, 4));
    await until(async () => (await device("meter-4")).activity.framesAccepted === 3, "meter-4: activity.framesAccepted === 3");
    expect((await device("meter-4")).activity.rejected).toEqual({ bad_signature: 1 });

    const keys = await call("GET", "/api/devices/meter-4/keys", undefined, viewerToken);
    expect(keys.body).toMatchObject({
      current: hex(newKeys.publicKeyPoint),
      rotations: [{ oldPublicKey: hex(oldKeys.publicKeyPoint), newPublicKey: hex(newKeys.publicKeyPoint), actor: "tech" }],
    });
    const [record] = keys.body.rotations as { handoverSignature: string }[];
    // Anyone holding the history can check the handover.
    expect(
      verifyKeyHandover(
        oldKeys.publicKeyPoint,
        "meter-4",
        newKeys.publicKeyPoint,
        Buffer.from(record?.handoverSignature ?? "", "hex"),
      ),
    ).toBe(true);
    // Going back to the old key is refused: its handover cannot be played again.
    const back = await call("POST", "/api/devices/meter-4/rotate-key", {
      publicKey: hex(oldKeys.publicKeyPoint),
      signature: hex(signKeyHandover(newKeys.privateKey, "meter-4", oldKeys.publicKeyPoint)),
    });
    expect(back.status).toBe(409);
  });

  it("resets a counter given as a decimal string beyond 2^53", async () => {
    const reset = await call("POST", "/api/devices/meter-4/reset-counter", { counter: "9007199254740993" });
    expect(reset.status).toBe(200);
    expect(reset.body).toMatchObject({ lastCounter: "9007199254740993" });
    expect(gateway.audit.list({ limit: 1 })[0]).toMatchObject({
      action: "device.counter.reset",
      details: { before: { lastCounter: "3" }, after: { lastCounter: "9007199254740993" } },
    });
  });

  it("commits a device's stream bounds into its batches and stores its channels under its own data class", async () => {
    const keys = generateDeviceKeys();
    const oven = await registered("oven-5", keys);
    devicesToStop.push(oven);
    const settings = await call("PUT", "/api/devices/oven-5/settings", {
      streamBounds: [{ channel: "temperature", min: -40, max: 85 }],
      dataClasses: { temperature: 4 },
      thresholds: { channels: { temperature: 2.5 } },
    });
    expect(settings.status).toBe(200);
    expect(settings.body.settings).toEqual({
      streamBounds: [{ channel: "temperature", min: -40, max: 85 }],
      dataClasses: { temperature: 4 },
      thresholds: { channels: { temperature: 2.5 } },
    });
    await oven.publishFrame(frameBytes("oven-5", keys, 1, 21.5));
    await oven.publishFrame(frameBytes("oven-5", keys, 2, 120));
    await until(async () => (await device("oven-5")).activity.framesAccepted === 2, "oven-5: activity.framesAccepted === 2");
    expect((await device("oven-5")).activity.readingsOutsideBounds).toBe(1);
    const stored = gateway.readings.ofClassAfter(4, 0, 10);
    expect(stored.map((reading) => [reading.deviceId, reading.value])).toEqual([
      ["oven-5", 2150],
      ["oven-5", 12000],
    ]);
    await until(() => gateway.batches.last()?.dataClass === 4, "a batch of data class 4", 5_000);
    // 120 °C lies outside -40..85 °C: that batch commits the stream unbounded, and says so.
    expect(gateway.batches.last()?.streamBounds).toEqual([]);

    await oven.publishFrame(frameBytes("oven-5", keys, 3, 30));
    await until(
      () => (gateway.batches.last()?.lastGatewaySeq ?? 0) >= (gateway.readings.ofClassAfter(4, 0, 10).at(-1)?.gatewaySeq ?? 0),
      "every class-4 reading sealed",
      5_000,
    );
    expect(gateway.batches.last()?.streamBounds).toEqual([
      { deviceId: "oven-5", channel: Channel.CHANNEL_TEMPERATURE, channelIndex: 0, scale: 2, min: -4000, max: 8500 },
    ]);
    expect(gateway.audit.list({ limit: 20 }).find((entry) => entry.action === "device.settings")?.details).toMatchObject({
      before: { streamBounds: [], dataClasses: {} },
      after: { dataClasses: { temperature: 4 } },
    });
  });

  it("decommissions a device for good: frames refused, login gone, readings kept, id not reused", async () => {
    const keys = generateDeviceKeys();
    const old = await registered("old-6", keys);
    devicesToStop.push(old);
    await old.publishFrame(frameBytes("old-6", keys, 1));
    const login = (await call("POST", "/api/devices/old-6/mqtt-login", {})).body as { username: string; password: string };

    const unconfirmed = await call("POST", "/api/devices/old-6/decommission", { confirm: "old-7" });
    expect(unconfirmed.status).toBe(400);
    expect(unconfirmed.body.issues).toEqual([{ path: "body.confirm", message: "must repeat the device id, old-6" }]);
    const gone = await call("POST", "/api/devices/old-6/decommission", { confirm: "old-6", reason: "replaced" });
    expect(gone.body).toMatchObject({ status: "decommissioned", mqttLogin: false });

    await old.publishFrame(frameBytes("old-6", keys, 2));
    await until(
      async () => (await device("old-6")).activity.rejected.inactive_device === 1,
      "old-6: activity.rejected.inactive_device === 1",
    );
    await expect(
      mqtt.connectAsync(`mqtt://127.0.0.1:${gateway.mqttPort}`, { ...login, clientId: "old-6", reconnectPeriod: 0 }),
    ).rejects.toThrow(/Not authorized|Bad username or password/);
    expect(gateway.readings.ofClassAfter(1, 0, 10_000).filter((reading) => reading.deviceId === "old-6")).toHaveLength(1);

    const reused = await call("POST", "/api/devices", { deviceId: "old-6", publicKey: hex(generateDeviceKeys().publicKeyPoint) });
    expect(reused.status).toBe(409);
    expect(reused.body.error).toMatch(/decommissioned on .*; its id is not used again/);
    for (const path of ["reactivate", "release", "mqtt-login"]) {
      expect((await call("POST", `/api/devices/old-6/${path}`, {})).status, path).toBe(409);
    }
    expect(deviceChanges("old-6")).toEqual(["registered", "mqtt-login-issued", "decommissioned"]);
  });
});

describe("bad input on the device routes", () => {
  const issues = async (method: string, path: string, json: unknown) => {
    const answer = await call(method, path, json);
    return { status: answer.status, issues: answer.body.issues as { path: string; message: string }[] | undefined };
  };

  it("names the field that is wrong", async () => {
    const offCurve = `04${"11".repeat(64)}`;
    expect(await issues("POST", "/api/devices", { deviceId: "ok-1", publicKey: offCurve })).toEqual({
      status: 400,
      issues: [{ path: "body.publicKey", message: "the bytes are not a point on P-256" }],
    });
    expect((await issues("POST", "/api/devices", { deviceId: "bad id", publicKey: "04" })).issues?.map((i) => i.path)).toEqual([
      "body.deviceId",
      "body.publicKey",
    ]);
    expect(await issues("POST", "/api/devices/line-1/reset-counter", { counter: "-1" })).toMatchObject({
      status: 400,
      issues: [{ path: "body.counter" }],
    });
    expect(await issues("POST", "/api/devices/line-1/reset-counter", { counter: "9223372036854775808" })).toMatchObject({
      status: 400,
      issues: [{ path: "body.counter", message: "must be at most 9223372036854775807" }],
    });
    const settingsIssues = (
      await issues("PUT", "/api/devices/line-1/settings", {
        streamBounds: [
          { channel: "temperature", min: 10, max: 5 },
          { channel: "pressure", min: 0, max: 1, colour: "red" },
        ],
        dataClasses: { humidity: 16 },
        thresholds: { default: -1 },
      })
    ).issues?.map((issue) => issue.path);
    expect(settingsIssues?.sort()).toEqual([
      "body.dataClasses.humidity",
      "body.streamBounds.0.max",
      "body.streamBounds.1.channel",
      "body.streamBounds.1.colour",
      "body.thresholds.default",
    ]);
    expect(
      await issues("PUT", "/api/devices/line-1/settings", {
        streamBounds: [
          { channel: "temperature", index: 0, min: 0, max: 1 },
          { channel: "temperature", index: 0, min: 0, max: 2 },
        ],
      }),
    ).toEqual({ status: 400, issues: [{ path: "body.streamBounds.1", message: "temperature index 0 is bounded twice" }] });
    expect(
      (await issues("POST", "/api/devices/meter-4/rotate-key", { publicKey: "04", signature: "zz" })).issues?.map((i) => i.path),
    ).toEqual(["body.publicKey", "body.signature"]);
    expect((await issues("POST", "/api/devices/a%20b/deactivate", {})).issues?.[0]?.path).toBe("params.deviceId");
  });

  it("sends a device a signed command and answers what the device said; refuses bad commands and viewers", async () => {
    const simulated = await registered("cmd-1");
    try {
      await simulated.acceptCommands(gateway.commandPublicKey);
      await simulated.publishFrame();
      await until(async () => (await device("cmd-1")).transport !== undefined, "cmd-1: transport !== undefined");
      const sent = await call("POST", "/api/devices/cmd-1/commands", { type: "setSamplingInterval", intervalMs: 250 });
      expect(sent.status).toBe(200);
      expect(sent.body).toMatchObject({ deviceId: "cmd-1", result: "applied" });
      expect(simulated.commands.at(-1)?.commandId).toBe(sent.body.commandId);
      const audited = await call("GET", "/api/audit?limit=5");
      expect(audited.body).toEqual(
        expect.arrayContaining([expect.objectContaining({ action: "device.command", target: "cmd-1", actor: "tech" })]),
      );

      const tooFast = await call("POST", "/api/devices/cmd-1/commands", { type: "setSamplingInterval", intervalMs: 1 });
      expect(tooFast.status).toBe(400);
      expect(tooFast.body.issues).toEqual([expect.objectContaining({ path: "body.intervalMs" })]);
      expect((await call("POST", "/api/devices/cmd-1/commands", { type: "selfDestruct" })).status).toBe(400);
      expect((await call("POST", "/api/devices/cmd-1/commands", { type: "reboot" }, viewerToken)).status).toBe(403);
      const unknown = await call("POST", "/api/devices/nobody/commands", { type: "reboot" });
      expect(unknown).toEqual({ status: 400, body: { error: "unknown device" } });
    } finally {
      await simulated.stop();
    }
  });

  it("answers 404 for a device that is not registered, and 413 for an oversized body", async () => {
    const missing = await call("POST", "/api/devices/nobody/deactivate", {});
    expect(missing.status).toBe(404);
    expect(missing.body.error).toBe("device nobody is not registered");
    expect((await call("GET", "/api/devices/nobody")).status).toBe(404);
    const oversized = await call("PUT", "/api/devices/line-1/settings", { streamBounds: [], padding: "x".repeat(100_000) });
    expect(oversized.status).toBe(413);
  });
});

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Channel } from "@intelledger/proto/device";
import { freePort, PrivateMosquitto, type SensorSignal, SimulatedDevice, until } from "@intelledger/test-support";
import mqtt, { type MqttClient } from "mqtt";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GatewayConfig } from "../config.js";
import { startGateway, type Gateway } from "../gateway.js";
import { GatewayClient } from "../../test/gateway-client.js";
import { LiveClient } from "../../test/live-client.js";
import { quietGatewayConfig } from "../../test/test-gateway.js";

/** The ACL operators are told to use, and a login that follows the alerts topic. */
const DOCUMENTED_ACL = readFileSync(join(import.meta.dirname, "../../../docs/mosquitto/intelledger.acl"), "utf8");
const GATEWAY_USER = "intelledger-gateway";
const T0 = Date.now() - 600_000;

let dir: string;
let broker: PrivateMosquitto;
let config: GatewayConfig;
let gateway: Gateway;
let client: GatewayClient;
let token: string;
let follower: MqttClient;
const alertsOnMqtt: Record<string, unknown>[] = [];
/** The temperature the device reads next, set by the test. */
const temperature = { value: 20 };
const device = new SimulatedDevice("line-1", {
  sensors: [
    {
      channel: Channel.CHANNEL_TEMPERATURE,
      index: 0,
      scale: 1,
      read: () => Math.round(temperature.value * 10),
    } satisfies SensorSignal,
  ],
});
let sampledAtMs = T0;

/** The device sends one frame with `value`, sampled a second after the last. */
async function send(value: number): Promise<void> {
  temperature.value = value;
  sampledAtMs += 1_000;
  await device.publishFrame(device.nextFrameBytes(sampledAtMs));
}

async function startTheGateway(): Promise<void> {
  gateway = await startGateway(config, pino({ level: "silent" }));
  client = new GatewayClient(gateway.httpPort);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "analytics-gateway-"));
  writeFileSync(join(dir, "broker-password"), "gateway-secret\n", { mode: 0o600 });
  writeFileSync(join(dir, "acl"), `${DOCUMENTED_ACL}\nuser scada\ntopic read intelledger/v1/alerts\n`);
  broker = await PrivateMosquitto.start({
    dir,
    port: await freePort(),
    users: { [GATEWAY_USER]: "gateway-secret", scada: "scada-secret" },
    config: [`acl_file ${join(dir, "acl")}`],
  });
  config = quietGatewayConfig(join(dir, "data"), {
    mqtt: { broker: { url: broker.url, username: GATEWAY_USER, passwordFile: join(dir, "broker-password") } },
    configApply: { watchMs: 1_000 },
  });
  await startTheGateway();
  token = await client.apiToken(await client.pair(gateway.pairingCode ?? "", "tech"), "analytics test");
  gateway.devices.register(device.deviceId, device.publicKeyPoint);
  const login = gateway.devices.issueMqttCredentials(device.deviceId);
  await broker.addUser(login.username, login.password);
  await device.connect(broker.url, login);
  follower = await mqtt.connectAsync(broker.url, { clientId: "scada", username: "scada", password: "scada-secret" });
  follower.on("message", (_topic, payload) => alertsOnMqtt.push(JSON.parse(payload.toString()) as Record<string, unknown>));
  await follower.subscribeAsync("intelledger/v1/alerts", { qos: 1 });
});

afterAll(async () => {
  await follower.endAsync(true);
  await device.stop();
  await gateway.stop();
  await broker.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function putConfig(change: (config: Record<string, unknown>) => void): Promise<Response> {
  const current = (await (await client.request("/api/config", { token })).json()) as { config: Record<string, unknown> };
  change(current.config);
  return client.request("/api/config", { method: "PUT", token, json: { config: current.config } });
}

describe("analytics on a running gateway", () => {
  it("refuses a rule naming a device the gateway does not have, naming the field, and applies a good one live", async () => {
    const refused = await putConfig((document) => {
      (document.analytics as { rules: unknown[] }).rules = [{ name: "hot", kind: "threshold", device: "line-9", above: 30 }];
    });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { issues: unknown[] }).issues).toEqual([
      { path: "body.config.analytics.rules.0.device", message: "no device line-9 is registered on this gateway" },
    ]);
    const applied = await putConfig((document) => {
      (document.analytics as { rules: unknown[] }).rules = [
        {
          name: "hot",
          kind: "threshold",
          device: "line-1",
          channel: "temperature",
          above: 30,
          hysteresis: 2,
          severity: "critical",
        },
      ];
    });
    expect(applied.status).toBe(200);
    expect(await applied.json()).toMatchObject({ mode: "live" });
    await gateway.management.settled();
  });

  it("fires an alert on the live stream and the MQTT topic, and resolves it after a restart", async () => {
    const live = new LiveClient();
    await live.open(`http://127.0.0.1:${gateway.httpPort}/api/live?types=alert`, token);
    await send(25);
    await send(35);
    await send(36);
    await until(() => live.of("alert").length === 1 && alertsOnMqtt.length === 1, "the firing");
    expect(live.of("alert")[0]?.data).toMatchObject({
      source: "rules",
      severity: "critical",
      code: 9100,
      subjectDeviceId: "line-1",
    });
    expect(alertsOnMqtt[0]).toMatchObject({ rule: "hot", state: "firing", subject: "line-1/temperature/0", deviceId: "line-1" });
    await live.close();

    await gateway.stop();
    await startTheGateway();
    await send(29); // within the hysteresis
    await send(27);
    await until(() => alertsOnMqtt.length === 2, "the resolution");
    expect(alertsOnMqtt[1]).toMatchObject({ rule: "hot", state: "resolved", severity: "info", code: 9101 });
    expect(gateway.derived.alerts().filter((alert) => alert.source === "rules")).toHaveLength(2);
  });

  it("answers a stream's series from raw readings and from rollups", async () => {
    await until(() => (gateway.analytics?.follower.valuesCursor() ?? 0) >= gateway.readings.lastSeq(), "the rollups");
    const get = async (query: string) => {
      const response = await client.request(`/api/series?${query}`, { token });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    const range = `from=${T0}&to=${sampledAtMs}`;
    const raw = await get(`stream=line-1/temperature&${range}&resolution=raw`);
    expect(raw.status).toBe(200);
    expect((raw.body.readings as { value: number }[]).map((reading) => reading.value)).toEqual([25, 35, 36, 29, 27]);
    const minutes = await get(`stream=line-1/temperature/0&${range}&resolution=1m`);
    expect(minutes.body).toMatchObject({ stream: "line-1/temperature/0", resolution: "1m" });
    const buckets = minutes.body.buckets as { count: number; min: number; max: number; last: number }[];
    expect(buckets.reduce((sum, bucket) => sum + bucket.count, 0)).toBe(5);
    expect(Math.max(...buckets.map((bucket) => bucket.max))).toBe(36);
    const auto = await get(`stream=line-1/temperature&from=${T0 - 30 * 86_400_000}&to=${sampledAtMs}`);
    expect(auto.body).toMatchObject({
      resolution: "1h",
      buckets: [expect.objectContaining({ count: 5, min: 25, max: 36, last: 27 })],
    });
  });

  it("refuses a series request that names no stream or a backwards span, naming the field", async () => {
    const bad = async (query: string) =>
      ((await (await client.request(`/api/series?${query}`, { token })).json()) as { issues: { path: string }[] }).issues.map(
        (issue) => issue.path,
      );
    expect(await bad("stream=line-1/pressure")).toEqual(["query.stream"]);
    expect(await bad("stream=line-1/temperature&from=20&to=10")).toEqual(["query.from"]);
    expect(await bad("stream=line-1/temperature&resolution=5m")).toEqual(["query.resolution"]);
    expect(await bad("stream=line-1/temperature&from=yesterday")).toEqual(["query.from"]);
  });
});

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt from "mqtt";
import { afterEach, describe, expect, it } from "vitest";
import { freePort } from "./free-port.js";
import { PrivateMosquitto } from "./private-mosquitto.js";
import { QosOneConnection } from "./qos1-connection.js";

let broker: PrivateMosquitto | undefined;

async function startMosquitto(config: readonly string[] = []): Promise<PrivateMosquitto> {
  broker = await PrivateMosquitto.start({
    dir: mkdtempSync(join(tmpdir(), "qos1-connection-")),
    port: await freePort(),
    users: { reader: "reader-secret" },
    config,
  });
  return broker;
}

afterEach(async () => {
  await broker?.stop();
  broker = undefined;
});

describe("QosOneConnection", () => {
  it("publishes at QoS 1, each publish settled by its PUBACK, in order", async () => {
    const mosquitto = await startMosquitto(["allow_anonymous true"]);
    const reader = await mqtt.connectAsync(mosquitto.url, { username: "reader", password: "reader-secret" });
    const received: string[] = [];
    reader.on("message", (_topic, payload) => received.push(payload.toString()));
    await reader.subscribeAsync("bench/#", { qos: 1 });
    const connection = await QosOneConnection.open(mosquitto.url, "publisher-1");
    const sent = Array.from({ length: 300 }, (_, i) => `message ${i}`);
    await Promise.all(sent.map((message) => connection.publish("bench/frames", Buffer.from(message))));
    await connection.close();
    const deadline = Date.now() + 10_000;
    while (received.length < sent.length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    await reader.endAsync();
    expect(received).toEqual(sent);
  });

  it("fails to open when the broker refuses the connection, naming its return code", async () => {
    const mosquitto = await startMosquitto();
    await expect(QosOneConnection.open(mosquitto.url, "anonymous")).rejects.toThrow("return code 5");
  });
});

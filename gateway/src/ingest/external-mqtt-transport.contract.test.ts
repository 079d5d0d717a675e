import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { freePort, MqttSessionTap, PrivateMosquitto } from "@intelledger/test-support";
import { RefusalLog } from "../acceptance/refusal-log.js";
import { ExternalMqttTransport } from "./external-mqtt-transport.js";
import { mqttPacketLimit } from "./mqtt-packet-guard.js";
import { describeFrameTransportContract } from "../../test/frame-transport-contract.js";
import { externalBrokerDevice } from "../../test/mqtt-contract-device.js";

const GATEWAY_LOGIN = { username: "intelledger-gateway", password: "gateway-secret" };

describeFrameTransportContract("MQTT through an external broker (Debian's Mosquitto, the documented ACL)", async () => {
  const logger = pino({ level: "silent" });
  const dir = mkdtempSync(join(tmpdir(), "contract-mosquitto-"));
  const broker = await PrivateMosquitto.start({
    dir,
    port: await freePort(),
    users: { [GATEWAY_LOGIN.username]: GATEWAY_LOGIN.password },
    config: [`acl_file ${join(import.meta.dirname, "../../../docs/mosquitto/intelledger.acl")}`],
  });
  // The gateway reaches the broker through the tap, which sees what it acknowledges.
  const tap = await MqttSessionTap.start({ host: "127.0.0.1", port: broker.port });
  return {
    // The same session every time, as a restarted gateway resumes it.
    createTransport: () =>
      new ExternalMqttTransport({
        url: tap.url,
        clientId: "contract-gateway",
        ...GATEWAY_LOGIN,
        retryAfterRefusalMs: 100,
        maxPacketBytes: mqttPacketLimit(512),
        refusals: new RefusalLog({ logger, intervalMs: 60_000 }),
        logger,
      }),
    async attachDevice(device) {
      const login = { url: broker.url, deviceId: device.deviceId, username: device.deviceId, password: "device-token" };
      await broker.addUser(login.username, login.password);
      return externalBrokerDevice(login, tap);
    },
    // ExternalMqttTransport.start resolves once its session is subscribed.
    reachable: () => Promise.resolve(),
    answersGiveReasons: false,
    async close() {
      await tap.close();
      await broker.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

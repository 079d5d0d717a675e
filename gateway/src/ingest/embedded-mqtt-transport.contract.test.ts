import { pino } from "pino";
import { freePort } from "@intelledger/test-support";
import { RefusalLog } from "../acceptance/refusal-log.js";
import { DeviceRegistry } from "../devices/device-registry.js";
import { openGatewayDatabase } from "../store/gateway-database.js";
import { EmbeddedMqttTransport } from "./embedded-mqtt-transport.js";
import { mqttPacketLimit } from "./mqtt-packet-guard.js";
import { describeFrameTransportContract } from "../../test/frame-transport-contract.js";
import { embeddedBrokerDevice } from "../../test/mqtt-contract-device.js";

describeFrameTransportContract("MQTT through the embedded broker", async () => {
  const logger = pino({ level: "silent" });
  const port = await freePort();
  const db = openGatewayDatabase(":memory:");
  const registry = new DeviceRegistry(db);
  return {
    // The same port every time, as a restarted gateway's broker has.
    createTransport: () =>
      new EmbeddedMqttTransport({
        host: "127.0.0.1",
        port,
        fallbackToFreePort: false,
        allowAnonymous: false,
        maxPacketBytes: mqttPacketLimit(512),
        logins: registry,
        refusals: new RefusalLog({ logger, intervalMs: 60_000 }),
        logger,
      }),
    attachDevice(device) {
      registry.register(device.deviceId, device.publicKeyPoint);
      const { username, password } = registry.issueMqttCredentials(device.deviceId);
      return Promise.resolve(
        embeddedBrokerDevice({ url: `mqtt://127.0.0.1:${port}`, deviceId: device.deviceId, username, password }),
      );
    },
    // The device connects when it sends.
    reachable: () => Promise.resolve(),
    answersGiveReasons: false,
    close: () => {
      db.close();
      return Promise.resolve();
    },
  };
});

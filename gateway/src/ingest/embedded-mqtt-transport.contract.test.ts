import { pino } from "pino";
import { freePort, SimulatedDevice } from "@intelledger/test-support";
import { RefusalLog } from "../acceptance/refusal-log.js";
import { DeviceRegistry } from "../devices/device-registry.js";
import { openGatewayDatabase } from "../store/gateway-database.js";
import { EmbeddedMqttTransport } from "./embedded-mqtt-transport.js";
import { frameTransportContract } from "./frame-transport.contract.js";
import { mqttPacketLimit } from "./mqtt-packet-guard.js";

frameTransportContract("MQTT through the embedded broker", async () => {
  const logger = pino({ level: "silent" });
  const port = await freePort();
  const db = openGatewayDatabase(":memory:");
  const registry = new DeviceRegistry(db);
  const device = new SimulatedDevice("contract-1");
  registry.register(device.deviceId, device.publicKeyPoint);
  const login = registry.issueMqttCredentials(device.deviceId);
  return {
    device,
    underTest: {
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
      async connectDevice(simulated) {
        await simulated.connect(`mqtt://127.0.0.1:${port}`, login);
        return { deliver: (bytes) => simulated.publishFrame(bytes), close: () => simulated.stop() };
      },
      deviceAckMeansDurable: true,
      close: () => {
        db.close();
        return Promise.resolve();
      },
    },
  };
});

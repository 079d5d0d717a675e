import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { freePort, PrivateMosquitto, SimulatedDevice } from "@intelledger/test-support";
import { RefusalLog } from "../acceptance/refusal-log.js";
import { ExternalMqttTransport } from "./external-mqtt-transport.js";
import { frameTransportContract } from "./frame-transport.contract.js";
import { mqttPacketLimit } from "./mqtt-packet-guard.js";

frameTransportContract("MQTT through an external broker (Debian's Mosquitto)", async () => {
  const logger = pino({ level: "silent" });
  const dir = mkdtempSync(join(tmpdir(), "contract-mosquitto-"));
  const device = new SimulatedDevice("contract-1");
  const deviceLogin = { username: device.deviceId, password: "device-token" };
  const broker = await PrivateMosquitto.start({
    dir,
    port: await freePort(),
    users: { "intelledger-gateway": "gateway-secret", [deviceLogin.username]: deviceLogin.password },
    config: [`acl_file ${join(import.meta.dirname, "../../../docs/mosquitto/intelledger.acl")}`],
  });
  return {
    device,
    underTest: {
      // The same session every time, as a restarted gateway resumes it.
      createTransport: () =>
        new ExternalMqttTransport({
          url: broker.url,
          clientId: "contract-gateway",
          username: "intelledger-gateway",
          password: "gateway-secret",
          retryAfterRefusalMs: 100,
          maxPacketBytes: mqttPacketLimit(512),
          refusals: new RefusalLog({ logger, intervalMs: 60_000 }),
          logger,
        }),
      async connectDevice(simulated) {
        await simulated.connect(broker.url, deviceLogin);
        return { deliver: (bytes) => simulated.publishFrame(bytes), close: () => simulated.stop() };
      },
      deviceAckMeansDurable: false,
      async close() {
        await broker.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    },
  };
});

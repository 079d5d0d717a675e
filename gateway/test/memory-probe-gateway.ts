// A gateway process whose memory a test watches from outside: a gateway on the data folder
// given (a quiet configuration, so nothing but ingest allocates), with one registered
// device. Prints its MQTT port and the device's login as a JSON line; stops on SIGTERM.
import { pino } from "pino";
import { SimulatedDevice } from "@intelledger/test-support";
import { startGateway } from "../src/index.js";
import { quietGatewayConfig } from "./test-gateway.js";

const [dataDir] = process.argv.slice(2);
if (!dataDir) throw new Error("usage: memory-probe-gateway.ts <data dir>");
const gateway = await startGateway(quietGatewayConfig(dataDir), pino({ level: "warn" }, pino.destination(2)));
const device = new SimulatedDevice("probe-1");
gateway.devices.register(device.deviceId, device.publicKeyPoint);
const login = gateway.devices.issueMqttCredentials(device.deviceId);
process.stdout.write(`${JSON.stringify({ mqttPort: gateway.mqttPort, login })}\n`);
process.on("SIGTERM", () => {
  void gateway.stop().then(() => process.exit(0));
});

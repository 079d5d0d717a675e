// A gateway process for footprint measurements: a gateway in the data folder given,
// with Node-RED and the example flows unless `--no-node-red`, accepting the devices
// listed in <data>/devices.json. Prints its ports and the devices' MQTT logins as a JSON
// line; stops on SIGTERM.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { pino } from "pino";
import { exampleFlows } from "../test/example-flows.js";
import { parseGatewayConfig, startGateway } from "../src/index.js";

const { values, positionals } = parseArgs({
  options: { "no-node-red": { type: "boolean", default: false } },
  allowPositionals: true,
});
const [dataDir] = positionals;
if (!dataDir) throw new Error("usage: footprint-gateway.ts <data dir> [--no-node-red]");
const nodeRed = !values["no-node-red"];

if (nodeRed) {
  mkdirSync(join(dataDir, "node-red"), { recursive: true });
  const flows = exampleFlows(
    "vibration-anomaly-alert",
    "temperature-threshold-command",
    "vibration-rms-derived",
    "gateway-status",
  );
  writeFileSync(join(dataDir, "node-red", "flows.json"), JSON.stringify(flows));
}
const gateway = await startGateway(
  parseGatewayConfig({ dataDir, mqtt: { port: 0 }, http: { host: "127.0.0.1", port: 0, nodeRed: { enabled: nodeRed } } }),
  pino({ level: "warn" }, pino.destination({ dest: join(dataDir, "gateway.log"), sync: false })),
);
const devices = JSON.parse(readFileSync(join(dataDir, "devices.json"), "utf8")) as { deviceId: string; publicKey: string }[];
const logins = devices.map(({ deviceId, publicKey }) => {
  gateway.devices.register(deviceId, Buffer.from(publicKey, "hex"));
  return gateway.devices.issueMqttCredentials(deviceId);
});
console.log(JSON.stringify({ mqttPort: gateway.mqttPort, httpPort: gateway.httpPort, nodeRed: gateway.nodeRedRunning, logins }));

process.on("SIGTERM", () => {
  void gateway.stop().then(() => process.exit(0));
});

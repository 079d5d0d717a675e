// The gateway's command line: run it from a configuration file, or register a device.
import { parseArgs } from "node:util";
import { readJsonFile, runCommand, stopOnSignals, usageFailure } from "@intelledger/service-kit";
import { pino } from "pino";
import { parseGatewayConfig } from "./config.js";
import { registerDevicesOffline } from "./devices/offline-registration.js";
import { startGateway } from "./gateway.js";

const USAGE = `usage:
  gateway start --config <file.json>
      Runs the gateway until SIGINT or SIGTERM. The file holds the configuration
      (see gateway/src/config.ts); logs go to stdout as JSON lines.
  gateway add-device --data-dir <dir> --device-id <id> --public-key <hex>
      Registers a device (65-byte uncompressed P-256 point, hex) with a stopped gateway.`;

const fail = usageFailure(USAGE);

async function start(configPath: string): Promise<void> {
  const logger = pino();
  stopOnSignals(await startGateway(parseGatewayConfig(readJsonFile(configPath, fail)), logger), logger);
}

function addDevice(dataDir: string, deviceId: string, publicKeyHex: string): void {
  if (!/^04[0-9a-fA-F]{128}$/.test(publicKeyHex)) fail("--public-key must be 65 bytes of hex starting with 04");
  registerDevicesOffline(dataDir, [{ deviceId, publicKeyPoint: Uint8Array.from(Buffer.from(publicKeyHex, "hex")) }]);
  console.log(JSON.stringify({ registered: deviceId }));
}

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    config: { type: "string" },
    "data-dir": { type: "string" },
    "device-id": { type: "string" },
    "public-key": { type: "string" },
    help: { type: "boolean", short: "h" },
  },
});

if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const [command] = positionals;
await runCommand(async () => {
  if (command === "start") {
    await start(values.config ?? fail("start needs --config"));
  } else if (command === "add-device") {
    addDevice(
      values["data-dir"] ?? fail("add-device needs --data-dir"),
      values["device-id"] ?? fail("add-device needs --device-id"),
      values["public-key"] ?? fail("add-device needs --public-key"),
    );
  } else {
    fail(command === undefined ? "no command given" : `unknown command ${command}`);
  }
});

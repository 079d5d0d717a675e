// The gateway's command line: run it from a configuration file, or register a device.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { pino } from "pino";
import { parseGatewayConfig } from "./config.js";
import { registerDevicesOffline } from "./devices/offline-registration.js";
import { GatewayError } from "./errors.js";
import { startGateway } from "./gateway.js";

const USAGE = `usage:
  gateway start --config <file.json>
      Runs the gateway until SIGINT or SIGTERM. The file holds the configuration
      (see gateway/src/config.ts); logs go to stdout as JSON lines.
  gateway add-device --data-dir <dir> --device-id <id> --public-key <hex>
      Registers a device (65-byte uncompressed P-256 point, hex) with a stopped gateway.`;

function fail(message: string): never {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(2);
}

function readConfig(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    fail(`cannot read configuration ${path}: ${(error as Error).message}`);
  }
}

async function start(configPath: string): Promise<void> {
  const logger = pino();
  const gateway = await startGateway(parseGatewayConfig(readConfig(configPath)), logger);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "stopping");
    gateway.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, "stopping failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
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
  },
});

const [command] = positionals;
try {
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
} catch (error) {
  if (!(error instanceof GatewayError)) throw error;
  console.error(`error: ${error.message}`);
  process.exit(1);
}

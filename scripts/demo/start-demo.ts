// The README's start command: the whole system on embedded defaults, with a live
// summary, until Ctrl-C.
import { mkdirSync, rmSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { errorMessage } from "@intelledger/service-kit";
import { pino } from "pino";
import { build } from "vite";
import { rendererBuild } from "../../desktop-console/scripts/build.js";
import { firmwareFleet } from "./demo-fleet.js";
import { startDemoSystem, type DemoSnapshot } from "./demo-system.js";
import { buildDeviceSimulator } from "./device-simulator.js";

const { values } = parseArgs({
  options: {
    "data-dir": { type: "string", default: join(import.meta.dirname, "../../.data/demo") },
    devices: { type: "string", default: "8" },
    "interval-ms": { type: "string", default: "1000" },
    "mqtt-port": { type: "string", default: "1883" },
    "http-port": { type: "string", default: "8080" },
  },
});

function positiveInteger(name: string, text: string, min: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) {
    console.error(`--${name} must be an integer of at least ${min}, got ${JSON.stringify(text)}`);
    process.exit(2);
  }
  return value;
}

const dataDir = resolve(values["data-dir"]);
const deviceCount = positiveInteger("devices", values.devices, 1);
const frameIntervalMs = positiveInteger("interval-ms", values["interval-ms"], 10);
const mqttPort = positiveInteger("mqtt-port", values["mqtt-port"], 0);
const httpPort = positiveInteger("http-port", values["http-port"], 0);

// The dev chain lives in memory, so every run starts from a clean slate.
rmSync(dataDir, { recursive: true, force: true });
mkdirSync(dataDir, { recursive: true });
const logFile = join(dataDir, "system.log");
const logger = pino({ level: "info" }, pino.destination({ dest: logFile, sync: true }));

function summary(snapshot: DemoSnapshot): string {
  const { gateway, relay } = snapshot;
  const rejected = Object.values(gateway.ingest.rejected).reduce((sum, count) => sum + count, 0);
  return [
    `readings in ${gateway.ingest.readingsAccepted} (rejected frames ${rejected})`,
    `batches sealed ${gateway.batchesSealed}, sent ${gateway.batchesAcked}`,
    `relay stored ${relay.stored.readings} readings`,
    `roots anchored ${relay.anchored.confirmed} (${relay.anchored.readingsAnchored} readings)`,
  ].join(" | ");
}

console.log("Starting IntelLedger Edge on embedded defaults...");
console.log("Building the device simulator from the firmware's C core...");
const serialDevices = Math.min(2, Math.floor(deviceCount / 4));
const fleet = await firmwareFleet({
  binary: buildDeviceSimulator(),
  dir: join(dataDir, "devices"),
  mqttDevices: deviceCount - serialDevices,
  serialDevices,
  intervalMs: frameIntervalMs,
});
// The console's screens are built while the system starts; the gateway serves the folder as it is.
const consoleDir = join(dataDir, "console");
const consoleBuilt = build(rendererBuild(consoleDir));
const system = await startDemoSystem({ dataDir, fleet, mqttPort, httpPort, consoleDir, logger });
await consoleBuilt;
const here = (path: string) => relative(process.cwd(), path) || ".";
const gatewayUi = `http://127.0.0.1:${system.gateway.httpPort}/`;
const moved = (requested: number, actual: number | undefined) =>
  requested === 0 || requested === actual ? "" : ` (port ${requested} was taken)`;
console.log(`
  dev chain         ${system.chain.rpcUrl} (chain id ${system.chain.chainId})
  anchor contract   ${system.contractAddress} (deployment in ${here(system.deploymentFile)}; the gateway is in its registry)
  relay             127.0.0.1:${system.relay.port} (gRPC, mutual TLS)
  relay API         http://127.0.0.1:${system.relay.apiPort}/metrics and /v1/receipts/<gateway>/<seq> (bearer token in ${here(join(dataDir, "relay", "api.token"))})
  gateway           ${system.gateway.id}
  MQTT broker       mqtt://127.0.0.1:${system.gateway.mqttPort}${moved(mqttPort, system.gateway.mqttPort)}
  gateway UI        ${gatewayUi}${system.gateway.nodeRedRunning ? ` (flow editor at ${gatewayUi}flows/)` : " (Node-RED did not start; see the log)"}${moved(httpPort, system.gateway.httpPort)}
  console           ${gatewayUi}console/ in a browser (the desktop app: npm run console)
  pairing code      ${system.gateway.pairingCode ?? "none"} (one-time: creates the first account at ${gatewayUi}pair)
  devices           ${deviceCount} ESP32 simulators built from the firmware core (${deviceCount - serialDevices} over MQTT, ${serialDevices} over serial ptys),
                    one signed frame each per ${frameIntervalMs} ms
  logs              ${here(logFile)}
  data              ${here(dataDir)}
  verify a receipt  npm run verify -- --receipt <file> --rpc-url ${system.chain.rpcUrl} --chain-id ${system.chain.chainId} \\
                      --deployment ${here(system.deploymentFile)} --min-confirmations 1 --allow-dev-key

Press Ctrl-C to stop.
`);

const live = process.stdout.isTTY;
let stopping = false;
async function printSummary(): Promise<void> {
  const line = `${new Date().toISOString().slice(11, 19)}  ${summary(await system.snapshot())}`;
  if (stopping) return;
  if (live) process.stdout.write(`\r\x1b[2K${line}`);
  else console.log(line);
}
const ticker = setInterval(
  () =>
    void printSummary().catch((error: unknown) => {
      if (!stopping) console.error(`\nthe summary could not be read: ${errorMessage(error)}`);
    }),
  live ? 1_000 : 5_000,
);

async function shutdown(signal: string): Promise<void> {
  if (stopping) {
    console.error("\nForced exit.");
    process.exit(130);
  }
  stopping = true;
  clearInterval(ticker);
  console.log(`\n${signal}: stopping devices, gateway, relay and chain...`);
  const last = summary(await system.snapshot());
  await system.stop();
  console.log(`Stopped. Last summary: ${last}`);
  process.exit(0);
}
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));

// The gateway as `gateway start --config <file>` runs it, but reaching BLE devices over the
// simulated radio (a folder where the firmware's simulators advertise) instead of BlueZ: for
// tests that kill it while BLE devices send.
// usage: gateway-with-ble-radio.ts start --config <file.json> --ble-radio <dir>
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { parseGatewayConfig, startGateway } from "@intelledger/gateway";
import { SimulatedRadioCentral } from "@intelledger/test-support";
import { pino } from "pino";

const { values } = parseArgs({
  options: { config: { type: "string" }, "ble-radio": { type: "string" } },
  allowPositionals: true,
});
const configPath = values.config;
const radio = values["ble-radio"];
if (configPath === undefined || radio === undefined) throw new Error("usage: start --config <file.json> --ble-radio <dir>");
const logger = pino();
const gateway = await startGateway(parseGatewayConfig(JSON.parse(readFileSync(configPath, "utf8"))), logger, {
  bleCentral: new SimulatedRadioCentral({ dir: radio, logger: logger.child({ component: "ble-radio" }) }),
});
process.once("SIGTERM", () => {
  gateway.stop().then(
    () => process.exit(0),
    (error: unknown) => {
      logger.error({ err: error }, "stopping failed");
      process.exit(1);
    },
  );
});

import { pino } from "pino";
import { typescriptFleet } from "../demo/demo-fleet.js";
import { startDemoSystem, type DemoOptions, type DemoSystem } from "../demo/demo-system.js";

/**
 * The whole system for a test: two simulated devices at 10 Hz, every port ephemeral, no
 * Node-RED, batches sealed and anchored within a fraction of a second, logs silent.
 * `options` overrides any of it.
 */
export function startTestDemoSystem(dataDir: string, options: Partial<DemoOptions> = {}): Promise<DemoSystem> {
  const logger = options.logger ?? pino({ level: "silent" });
  return startDemoSystem({
    dataDir,
    fleet: typescriptFleet({ devices: 2, intervalMs: 100, logger }),
    mqttPort: 0,
    httpPort: 0,
    nodeRed: false,
    batchMaxAgeMs: 300,
    anchorIntervalMs: 300,
    logger,
    ...options,
  });
}

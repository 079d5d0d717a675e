import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseGatewayConfig, startGateway, type Gateway, type GatewayConfigInput } from "@intelledger/gateway";
import { pino } from "pino";

export const TEST_PASSWORD = "correct horse battery";

/** A real gateway in this process, on free ports and a data folder of its own. */
export async function startTestGateway(
  config: Partial<GatewayConfigInput> = {},
): Promise<{ gateway: Gateway; url: string; dataDir: string; stop: () => Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), "console-gateway-"));
  const gateway = await startGateway(
    parseGatewayConfig({
      dataDir,
      mqtt: { port: 0 },
      http: { host: "127.0.0.1", port: 0 },
      proving: { enabled: false },
      inference: { enabled: false },
      ...config,
    }),
    pino({ level: "silent" }),
  );
  return {
    gateway,
    url: `http://127.0.0.1:${gateway.httpPort}`,
    dataDir,
    stop: async () => {
      await gateway.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

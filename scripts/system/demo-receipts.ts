import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { DemoSystem } from "../demo/demo-system.js";

/**
 * Asks a demo system's relay API for the receipt of its gateway's reading `gatewaySeq`, with the
 * API token the relay keeps in the system's `dataDir`.
 */
export function requestReceipt(system: DemoSystem, dataDir: string, gatewaySeq: number): Promise<Response> {
  const token = readFileSync(join(dataDir, "relay", "api.token"), "utf8").trim();
  return fetch(`http://127.0.0.1:${system.relay.apiPort}/v1/receipts/${system.gateway.id}/${gatewaySeq}`, {
    headers: { authorization: `Bearer ${token}` },
  });
}

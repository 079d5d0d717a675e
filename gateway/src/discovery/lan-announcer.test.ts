import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Bonjour, type Service } from "bonjour-service";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseGatewayConfig } from "../config.js";
import { startGateway, type Gateway } from "../gateway.js";
import { GATEWAY_VERSION } from "../gateway-version.js";
import { SERVICE_TYPE } from "./lan-announcer.js";

let dataDir: string;
let gateway: Gateway;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "gateway-discovery-"));
  gateway = await startGateway(
    parseGatewayConfig({
      dataDir,
      mqtt: { port: 0 },
      http: { host: "127.0.0.1", port: 0 },
      proving: { enabled: false },
      inference: { enabled: false },
      discovery: { name: "Test gateway discovery" },
    }),
    pino({ level: "silent" }),
  );
});

afterAll(async () => {
  await gateway.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("discovery on the LAN", () => {
  it("a DNS-SD browser finds the gateway with its id, version and HTTP port", async () => {
    const browser = new Bonjour();
    try {
      const found = await new Promise<Service>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("no gateway announced within 10 s")), 10_000);
        browser.find({ type: SERVICE_TYPE }, (service: Service) => {
          if ((service.txt as Record<string, string> | undefined)?.id !== gateway.id) return;
          clearTimeout(timer);
          resolve(service);
        });
      });
      expect(found.name).toBe("Test gateway discovery");
      expect(found.port).toBe(gateway.httpPort);
      expect(found.txt).toEqual({ id: gateway.id, version: GATEWAY_VERSION, http: String(gateway.httpPort) });
    } finally {
      await new Promise<void>((resolve) => browser.destroy(() => resolve()));
    }
  });
});

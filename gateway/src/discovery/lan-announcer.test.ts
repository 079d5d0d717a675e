import { Bonjour, type Service } from "bonjour-service";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestGateway, type TestGateway } from "../../test/test-gateway.js";
import type { Gateway } from "../gateway.js";
import { GATEWAY_VERSION } from "../gateway-version.js";
import { SERVICE_TYPE } from "./lan-announcer.js";

let running: TestGateway;
let gateway: Gateway;

beforeAll(async () => {
  running = await startTestGateway({ discovery: { name: "Test gateway discovery" } });
  gateway = running.gateway;
});

afterAll(() => running.stop());

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

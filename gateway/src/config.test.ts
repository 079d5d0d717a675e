import { describe, expect, it } from "vitest";
import { BATCH_CAPACITY } from "@intelledger/circuits";
import { parseGatewayConfig } from "./config.js";

describe("gateway configuration", () => {
  it("fills every default from just a data folder", () => {
    const config = parseGatewayConfig({ dataDir: "/var/lib/intelledger" });
    expect(config.mqtt).toEqual({ allowAnonymous: false, host: "0.0.0.0", port: 1883, fallbackToFreePort: true });
    expect(config.ingest).toMatchObject({ maxFrameBytes: 512, maxCounterJump: 1_000_000, refusalLogIntervalMs: 60_000 });
    expect(config.batching.maxReadings).toBe(BATCH_CAPACITY);
    expect(config.relay).toBeUndefined();
    expect(config.http).toEqual({
      host: "0.0.0.0",
      port: 8080,
      fallbackToFreePort: true,
      sessionTtlMinutes: 720,
      allowedHosts: [],
      nodeRed: {
        enabled: false,
        keepBackups: 50,
        allowListeningNodes: false,
        heartbeatTimeoutMs: 3_000,
        safeModeAfterCrashes: 3,
        maxHeapMb: 256,
        limits: { writesPerSecond: 200, maxPendingWrites: 1_000, commandsPerMinute: 60 },
      },
    });
  });

  it("names the field that is wrong", () => {
    expect(() => parseGatewayConfig({ dataDir: "/d", mqtt: { port: 70_000 } })).toThrow(/mqtt\.port/);
    expect(() =>
      parseGatewayConfig({ dataDir: "/d", relay: { address: "nohostport", caCertFile: "a", certFile: "b", keyFile: "c" } }),
    ).toThrow(/must be host:port\n {2}→ at relay\.address/);
    expect(() => parseGatewayConfig({})).toThrow(/dataDir/);
    expect(() => parseGatewayConfig({ dataDir: "/d", http: { nodeRed: { enabled: "yes" } } })).toThrow(/http\.nodeRed\.enabled/);
    expect(() => parseGatewayConfig({ dataDir: "/d", http: { nodeRed: { heartbeatTimeoutMs: 10 } } })).toThrow(
      /http\.nodeRed\.heartbeatTimeoutMs/,
    );
    expect(() => parseGatewayConfig({ dataDir: "/d", http: { allowedHosts: [""] } })).toThrow(/http\.allowedHosts/);
  });
});

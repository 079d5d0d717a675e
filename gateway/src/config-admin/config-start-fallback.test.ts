import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { takePort, type TakenPort } from "@intelledger/test-support";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { quietGatewayConfig } from "../../test/test-gateway.js";
import { startGateway } from "../gateway.js";

const logger = pino({ level: "silent" });
let dir: string;
let taken: TakenPort;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "config-start-fallback-"));
  taken = await takePort();
});
afterAll(async () => {
  await taken.release();
  rmSync(dir, { recursive: true, force: true });
});

/** A configuration the gateway cannot start with: its HTTP port is taken and it may not move. */
const unstartable = (dataDir: string) =>
  quietGatewayConfig(dataDir, { http: { host: "127.0.0.1", port: taken.port, fallbackToFreePort: false } });

describe("a configuration the gateway does not start with", () => {
  it("is rolled back at start to the last one that worked, with the reason in the history and the audit log", async () => {
    const dataDir = join(dir, "with-history");
    const first = await startGateway(quietGatewayConfig(dataDir), logger);
    await first.stop();

    // A technician edits the file; the new document does not start.
    const gateway = await startGateway(unstartable(dataDir), logger);
    try {
      expect(gateway.management.current.revision).toBe(1);
      expect(gateway.management.current.config.http.port).toBe(0);
      expect(gateway.httpPort).not.toBe(taken.port);
      const failed = gateway.management.revision(2);
      expect(failed?.status).toBe("rolled-back");
      expect(failed?.rollbackReason).toMatch(/did not start with it: .*EADDRINUSE|in use/);
      const [rollback] = gateway.audit.list({ limit: 1 });
      expect(rollback).toMatchObject({ actor: "system", action: "config.rollback", target: "revision 2" });
      expect(gateway.health()).toMatchObject({ ingestRunning: true, databaseWritable: true });
    } finally {
      await gateway.stop();
    }

    // The next start (the file still unchanged) goes straight to the one that works.
    const again = await startGateway(unstartable(dataDir), logger);
    expect(again.management.current.revision).toBe(1);
    await again.stop();
  });

  it("stops the gateway with its error when no earlier configuration worked", async () => {
    await expect(startGateway(unstartable(join(dir, "fresh")), logger)).rejects.toThrow(/EADDRINUSE|in use/);
  });
});

import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { NotifySocket } from "@intelledger/test-support";
import { quietGatewayConfigInput } from "../../test/test-gateway.js";

const dir = mkdtempSync(join(tmpdir(), "service-watchdog-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the gateway under a service manager (sd_notify)", () => {
  it("reports READY, pets the watchdog while healthy, stops petting while ingest cannot write, resumes after", async () => {
    const dataDir = join(dir, "data");
    const configPath = join(dir, "gateway.json");
    writeFileSync(configPath, JSON.stringify(quietGatewayConfigInput(dataDir)));
    const socket = await NotifySocket.open(join(dir, "notify.sock"));
    const gateway = spawn(
      process.execPath,
      ["--import", "tsx", join(import.meta.dirname, "../cli.ts"), "start", "--config", configPath],
      {
        // What systemd sets for a unit with Type=notify and WatchdogSec=0.6s.
        env: { ...process.env, NOTIFY_SOCKET: socket.path, WATCHDOG_USEC: "600000" },
        stdio: "ignore",
      },
    );
    try {
      await socket.waitFor(/^READY=1$/, 180_000);
      expect(await socket.waitFor(/^STATUS=/)).toMatch(/^STATUS=running: gateway 0x[0-9a-fA-F]{40}, version \d+\.\d+\.\d+$/);
      while (socket.count("WATCHDOG=1") < 3) await sleep(50);

      // Another process takes the database's write lock: the gateway can store nothing.
      const wedge = new Database(join(dataDir, "gateway.sqlite"));
      wedge.exec("BEGIN EXCLUSIVE");
      await socket.waitFor(/^STATUS=unhealthy: the database is not writable$/, 20_000);
      const petsWhileWedged = socket.count("WATCHDOG=1");
      await sleep(3_000);
      expect(socket.count("WATCHDOG=1")).toBe(petsWhileWedged);

      wedge.exec("ROLLBACK");
      wedge.close();
      const deadline = Date.now() + 20_000;
      while (socket.count("WATCHDOG=1") <= petsWhileWedged && Date.now() < deadline) await sleep(50);
      expect(socket.count("WATCHDOG=1")).toBeGreaterThan(petsWhileWedged);
      expect(socket.fields).toContain("STATUS=running");

      const exited = once(gateway, "exit");
      gateway.kill("SIGTERM");
      const [code] = (await exited) as [number | null];
      expect(code).toBe(0);
      expect(socket.fields).toContain("STOPPING=1");
    } finally {
      gateway.kill("SIGKILL");
      await socket.close();
    }
  }, 300_000);
});

import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDeviceSimulator } from "./device-simulator.js";

const repoRoot = join(import.meta.dirname, "../..");

/** Takes port 1883 unless something (a Mosquitto, say) already holds it; either way it is taken. */
async function occupyMqttPort(): Promise<Server | undefined> {
  const server = createServer();
  server.listen(1883, "0.0.0.0");
  const [event] = await Promise.race([once(server, "listening").then(() => ["listening"]), once(server, "error")]);
  return event === "listening" ? server : undefined;
}

/** Processes whose environment carries the marker: the demo and anything it started. */
function processesWithMarker(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, "latin1").includes(marker)) pids.push(Number(entry));
    } catch {
      // The process ended while we looked, or is not ours to read.
    }
  }
  return pids;
}

describe("the start command", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "edge-start-"));
  // Building the simulator is setup, like installing dependencies, and may wait for another
  // test's build; the 60 s are the system's own start. The demo then finds it up to date.
  beforeAll(() => void buildDeviceSimulator(), 300_000);
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it("shows anchored readings within 60 s with port 1883 taken, and leaves no process after SIGINT", async () => {
    const blocker = await occupyMqttPort();
    const marker = `EDGE_START_TEST=${randomUUID()}`;
    const [markerName, markerValue] = marker.split("=") as [string, string];
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "scripts/demo/start-demo.ts", "--data-dir", dataDir, "--devices", "3", "--interval-ms", "200"],
      {
        cwd: repoRoot,
        env: { ...process.env, [markerName]: markerValue },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const exited = once(child, "exit");

    try {
      const startedAt = Date.now();
      while (!/roots anchored [1-9]/.test(output)) {
        if (Date.now() - startedAt > 60_000) throw new Error(`no anchored root within 60 s:\n${output}`);
        if (child.exitCode !== null) throw new Error(`start command exited early:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(output).toMatch(/MQTT broker\s+mqtt:\/\/127\.0\.0\.1:\d+ \(port 1883 was taken\)/);
      expect(output).toMatch(/gateway UI\s+http:\/\/127\.0\.0\.1:\d+\/ \(flow editor at http:\/\/127\.0\.0\.1:\d+\/flows\/\)/);
      expect(output).toMatch(/console\s+http:\/\/127\.0\.0\.1:\d+\/console\/ in a browser/);
      expect(output).toMatch(/pairing code\s+[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4} \(one-time/);
      expect(processesWithMarker(marker).length).toBeGreaterThanOrEqual(2); // the demo and its dev chain

      child.kill("SIGINT");
      const [code] = (await exited) as [number | null];
      expect(code, output).toBe(0);
      expect(output).toContain("Stopped.");
      // Give the kernel a moment to reap, then nothing of the demo may remain.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(processesWithMarker(marker)).toEqual([]);
    } finally {
      child.kill("SIGKILL");
      blocker?.close();
    }
  }, 90_000);
});

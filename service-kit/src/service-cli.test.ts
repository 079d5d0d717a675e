import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { describe, expect, it } from "vitest";
import { stringOptions } from "./service-cli.js";

const SERVICE = fileURLToPath(new URL("../test/signalled-service.ts", import.meta.url));

/** Runs a service whose stop takes `stopMs`, signals it once it is up, and returns how it ended. */
async function signalService(stopMs: number, signal: NodeJS.Signals): Promise<{ code: number | null; output: string }> {
  // Node itself with tsx's loader, not the tsx command: that one relays signals to a child of
  // its own, and a signal arriving before it listens would end it rather than the service.
  const child = spawn(process.execPath, ["--import", "tsx", SERVICE, String(stopMs)], { stdio: ["ignore", "pipe", "inherit"] });
  const exited = once(child, "exit") as Promise<[number | null]>;
  let output = "";
  await new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("up")) resolve();
    });
    void exited.then(() => reject(new Error(`the service exited before it was up: ${output}`)));
  });
  child.kill(signal);
  const [code] = await exited;
  return { code, output };
}

describe("stopOnSignals", () => {
  it("exits 0 once the service has stopped", async () => {
    const { code, output } = await signalService(10, "SIGTERM");
    expect(code).toBe(0);
    expect(output).toContain('"msg":"stopping"');
  });

  it("exits 1 when the service does not stop within its time limit", async () => {
    const { code, output } = await signalService(60_000, "SIGINT");
    expect(code).toBe(1);
    expect(output).toContain("stopping took too long");
  });
});

describe("stringOptions", () => {
  it("declares options that take a string each, for parseArgs", () => {
    const options = { ...stringOptions("config", "data-dir"), help: { type: "boolean" as const } };
    const { values } = parseArgs({ args: ["--data-dir", "/var/lib/x", "--config=a.json"], options });
    expect(values).toEqual({ "data-dir": "/var/lib/x", config: "a.json" });
    expect(() => parseArgs({ args: ["--data-dir"], options })).toThrow(/argument missing/);
    expect(() => parseArgs({ args: ["--port", "1"], options })).toThrow(/Unknown option '--port'/);
  });
});

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll } from "vitest";
import { buildDeviceSimulator } from "../demo/device-simulator.js";

/**
 * A test file that runs the firmware's device simulator: builds the simulator once, gives each
 * test a folder of its own, and after each test stops what it started, last started first.
 */
export class SimulatorSuite {
  /** The simulator's executable, built before the file's first test. */
  binary = "";
  /** The running test's folder. */
  dir = "";
  private readonly stops: (() => Promise<unknown>)[] = [];

  constructor() {
    beforeAll(() => {
      this.binary = buildDeviceSimulator();
    }, 600_000);
    afterEach(async () => {
      while (this.stops.length > 0) await this.stops.pop()?.();
      if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    });
  }

  /** A new folder for the running test, removed after it. */
  folder(prefix: string): string {
    this.dir = mkdtempSync(join(tmpdir(), prefix));
    return this.dir;
  }

  /** Runs `stop` after the running test. */
  defer(stop: () => Promise<unknown>): void {
    this.stops.push(stop);
  }
}

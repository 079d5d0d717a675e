import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { join } from "node:path";

/**
 * A pseudo-terminal pair made by socat: a serial cable with two ends, `gatewayPath` and
 * `devicePath` (stable symlinks). Stopping it is pulling the cable: both ends vanish.
 */
export class PtyPair {
  readonly gatewayPath: string;
  readonly devicePath: string;
  private readonly child: ChildProcess;

  private constructor(dir: string, child: ChildProcess) {
    this.gatewayPath = join(dir, "gateway-end");
    this.devicePath = join(dir, "device-end");
    this.child = child;
  }

  static async open(dir: string): Promise<PtyPair> {
    const child = spawn(
      "socat",
      [`pty,raw,echo=0,link=${join(dir, "gateway-end")}`, `pty,raw,echo=0,link=${join(dir, "device-end")}`],
      {
        stdio: "ignore",
      },
    );
    const pair = new PtyPair(dir, child);
    const deadline = Date.now() + 10_000;
    while (!existsSync(pair.gatewayPath) || !existsSync(pair.devicePath)) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`socat did not create the pty pair in ${dir}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return pair;
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, "exit");
    this.child.kill("SIGTERM");
    await exited;
  }
}

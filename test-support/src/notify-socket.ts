import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";

/**
 * A service manager's notification socket (what systemd passes a `Type=notify` service as
 * NOTIFY_SOCKET), received by socat: every sd_notify field that arrives, in order. Node has
 * no Unix datagram sockets of its own.
 */
export class NotifySocket {
  readonly path: string;
  /** Fields received, as `KEY=value`. */
  readonly fields: string[] = [];
  private readonly child: ChildProcess;

  private constructor(path: string, child: ChildProcess) {
    this.path = path;
    this.child = child;
    let pending = "";
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      const lines = (pending + chunk).split("\n");
      pending = lines.pop() ?? "";
      this.fields.push(...lines.filter((line) => line !== ""));
    });
  }

  static async open(path: string): Promise<NotifySocket> {
    const child = spawn("socat", ["-u", `UNIX-RECV:${path}`, "STDOUT"], { stdio: ["ignore", "pipe", "inherit"] });
    const socket = new NotifySocket(path, child);
    const deadline = Date.now() + 10_000;
    while (!existsSync(path)) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`socat did not open the notify socket ${path}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return socket;
  }

  /** How many times `field` (say `WATCHDOG=1`) arrived. */
  count(field: string): number {
    return this.fields.filter((received) => received === field).length;
  }

  /** Resolves once a field matching `pattern` has arrived; returns it. */
  async waitFor(pattern: RegExp, timeoutMs = 60_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.fields.find((field) => pattern.test(field));
      if (found !== undefined) return found;
      if (Date.now() > deadline) throw new Error(`no ${pattern} on the notify socket; got ${this.fields.slice(-10).join(" | ")}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, "exit");
    this.child.kill("SIGTERM");
    await exited;
  }
}

import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createWriteStream, readFileSync, type WriteStream } from "node:fs";
import { join } from "node:path";
import { withTimeout } from "./soak-helpers.js";

const repoRoot = join(import.meta.dirname, "../..");
/** Loading a service's modules and building its hashers takes seconds on an idle core, minutes on a loaded shared one. */
const START_TIMEOUT_MS = 180_000;
/** USER_HZ, which Linux fixes at 100 for /proc's times on every architecture it runs on here. */
const CLOCK_TICKS_PER_SECOND = 100;

const CLIS = {
  /** With glibc's malloc arenas capped, as its packaged command line starts it. */
  gateway: { path: "gateway/src/cli.ts", ready: "gateway started", env: { MALLOC_ARENA_MAX: "2" } },
  /** With glibc's malloc in one arena and large buffers mapped apart, as the relay's systemd unit and docs start it. */
  relay: {
    path: "cloud-relay/src/cli.ts",
    ready: "relay started",
    env: { MALLOC_ARENA_MAX: "1", MALLOC_MMAP_THRESHOLD_: "65536" },
  },
  /** The gateway with BLE devices over the simulated radio (its folder in the extra arguments). */
  gatewayWithBleRadio: { path: "scripts/system/gateway-with-ble-radio.ts", ready: "gateway started" },
} as const;

/**
 * A gateway or relay running as a process of its own, from its command line, so tests
 * can kill it for real. Its JSON log lines go to a file.
 */
export class ChildService {
  private child: ChildProcess | undefined;
  private readonly log: WriteStream;
  private readonly kind: keyof typeof CLIS;
  private readonly configPath: string;
  private readonly extraArgs: readonly string[];

  constructor(kind: keyof typeof CLIS, configPath: string, logPath: string, extraArgs: readonly string[] = []) {
    this.kind = kind;
    this.configPath = configPath;
    this.extraArgs = extraArgs;
    this.log = createWriteStream(logPath, { flags: "a" });
  }

  /** The largest resident set the process has had (VmHWM), in bytes. */
  peakRssBytes(): number {
    return this.memoryStatus("VmHWM");
  }

  /** CPU seconds the process used so far, all its threads, user and system (/proc/<pid>/stat). */
  cpuSeconds(): number {
    const pid = this.child?.pid;
    if (pid === undefined || !this.running) throw new Error(`${this.kind} is not running`);
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command (which may hold spaces) start at the state, field 3; utime and stime are 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  }

  /** The process's resident set now (VmRSS), in bytes. */
  rssBytes(): number {
    return this.memoryStatus("VmRSS");
  }

  private memoryStatus(field: "VmHWM" | "VmRSS"): number {
    const pid = this.child?.pid;
    if (pid === undefined || !this.running) throw new Error(`${this.kind} is not running`);
    const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return Number(match?.[1] ?? Number.NaN) * 1024;
  }

  /** The running process's id (undefined before it started). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts the process and resolves once it logged that it is ready. */
  async start(timeoutMs = START_TIMEOUT_MS): Promise<void> {
    const cli: { path: string; ready: string; env?: Record<string, string> } = CLIS[this.kind];
    const { path, ready } = cli;
    // As the services are documented to run: V8 sized for memory rather than for a server.
    const node = ["--optimize-for-size", "--import", "tsx"];
    const child = spawn(process.execPath, [...node, path, "start", "--config", this.configPath, ...this.extraArgs], {
      cwd: repoRoot,
      env: { ...process.env, ...cli.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child = child;
    let seen = "";
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${this.kind} not ready after ${timeoutMs} ms:\n${seen.slice(-2_000)}`)),
        timeoutMs,
      );
      const onData = (chunk: Buffer) => {
        this.log.write(chunk);
        if (seen.length < 100_000) seen += chunk.toString();
        if (seen.includes(`"msg":"${ready}"`)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout?.on("data", onData);
      child.stderr?.on("data", onData);
      child.once("exit", (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${this.kind} exited (${code ?? signal}) before it was ready:\n${seen.slice(-2_000)}`));
      });
    });
  }

  /** Sends the signal and waits for the process to end; fails (and kills it) if it has not after `timeoutMs`. */
  async stop(signal: NodeJS.Signals = "SIGTERM", timeoutMs = 60_000): Promise<number | null> {
    const child = this.child;
    if (!child || !this.running) return child?.exitCode ?? null;
    const exited = once(child, "exit") as Promise<[number | null]>;
    child.kill(signal);
    const [code] = await withTimeout(exited, timeoutMs, () => {
      child.kill("SIGKILL");
      return `${this.kind} did not exit within ${timeoutMs} ms of ${signal}`;
    });
    return code;
  }

  close(): void {
    this.child?.kill("SIGKILL");
    this.log.end();
  }
}

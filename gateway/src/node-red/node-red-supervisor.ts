import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import type { Socket } from "node:net";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { lineChannel, type LineChannel } from "node-red-contrib-intelledger/runtime/line-channel";
import type { GatewayMessage, NodeRedMessage } from "node-red-contrib-intelledger/channel-messages";
import type { IntelLedgerGatewayApi } from "node-red-contrib-intelledger/gateway-api";
import type { Logger } from "pino";
import type { AuditLog } from "../auth/audit-log.js";
import { GatewayError } from "../errors.js";
import { Backoff } from "../uplink/backoff.js";
import { FlowChannelServer, nodeRedMessageSchema, type FlowChannelLimits } from "./flow-channel-server.js";
import type { FlowsUser } from "./flows-user.js";
import { logNodeRedLine } from "./node-red-log.js";
import { RateLimit } from "./rate-limit.js";

const CHILD_ENTRY = createRequire(import.meta.url).resolve("node-red-contrib-intelledger/runtime/node-red-child");
/** The Node-RED process's messages are small: requests, log lines. */
const MAX_MESSAGE_BYTES = 256 * 1024;
const WATCHDOG_INTERVAL_MS = 250;
/**
 * Until Node-RED has loaded its nodes and reads its flows, its event loop stalls for seconds
 * at a time (module loading; on a Pi more than here); the heartbeat timeout applies after.
 */
const LOAD_TIMEOUT_MS = 60_000;
/** A process that ran this long without trouble starts its next backoff from the beginning. */
const HEALTHY_AFTER_MS = 60_000;
/** Crashes of the same flows counted within this window. */
const CRASH_WINDOW_MS = 10 * 60_000;
/** Starts in a row that never got ready, safe mode included, after which the gateway gives up. */
const MAX_FAILED_STARTS = 5;
const STOP_TIMEOUT_MS = 5_000;
/**
 * Node-RED's process holds about 15 MB less with V8's lite mode (no optimising compilers):
 * flows' glue code does not need them at a gateway's message rates, though a function node
 * that computes hard runs slower.
 */
const NODE_RED_V8_FLAGS = ["--optimize-for-size", "--lite-mode"];

export type NodeRedState = "starting" | "running" | "safe-mode" | "restarting" | "stopped" | "failed";

export interface NodeRedStatus {
  state: NodeRedState;
  /** The user Node-RED runs as. */
  user: string;
  pid: number | undefined;
  /** Node-RED's revision of the flows it runs or last ran. */
  flowsRevision: string | undefined;
  restarts: number;
  lastExit: { atMs: number; reason: string } | undefined;
  /** Why the flows are stopped, in safe mode. */
  safeModeReason: string | undefined;
  /** Readings and scores Node-RED could not take in time. */
  feedDropped: number;
}

export interface NodeRedSupervisorOptions {
  userDir: string;
  adminRoot: string;
  keepBackups: number;
  allowListeningNodes: boolean;
  user: FlowsUser | undefined;
  heartbeatTimeoutMs: number;
  safeModeAfterCrashes: number;
  maxHeapMb: number;
  limits: FlowChannelLimits;
  api: IntelLedgerGatewayApi;
  audit: AuditLog;
  logger: Logger;
}

interface RunningChild {
  process: ChildProcess;
  channel: LineChannel<GatewayMessage>;
  server: FlowChannelServer;
  spawnedAtMs: number;
  lastBeatMs: number;
  /** Node-RED has read its flows: from here on its event loop must keep turning. */
  loaded: boolean;
  port: number | undefined;
  killReason: string | undefined;
}

/**
 * What Node-RED's process inherits: nothing of the gateway's environment but the basics,
 * and a compile cache in its folder, which saves much of Node-RED's start-up time.
 */
function childEnvironment(userDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: "/usr/local/bin:/usr/bin:/bin",
    HOME: userDir,
    NODE_ENV: "production",
    NODE_COMPILE_CACHE: join(userDir, ".compile-cache"),
  };
  for (const name of ["LANG", "TZ"]) if (process.env[name] !== undefined) env[name] = process.env[name];
  return env;
}

/**
 * Runs Node-RED in a child process and keeps it running: a process whose event loop stops
 * turning (no heartbeat) is killed, one that exits is started again with backoff, and the
 * flows that keep bringing it down are started stopped (Node-RED's safe mode) until an
 * integrator deploys again. Restarts and safe mode go to the audit log with their reason.
 * Nothing the gateway does waits for the process.
 */
export class NodeRedSupervisor {
  private readonly options: NodeRedSupervisorOptions;
  private readonly logger: Logger;
  private readonly backoff = new Backoff({ initialDelayMs: 500, maxDelayMs: 30_000 });
  private readonly outputLines = new RateLimit({ perSecond: 50, burst: 200 });
  /** Signs who is calling, for Node-RED (see editor-identity.js); new for every gateway run. */
  readonly identityKey = randomBytes(32);
  private child: RunningChild | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private lastCheckMs = Date.now();
  private readonly crashes = new Map<string, number[]>();
  private failedStarts = 0;
  private safeMode = false;
  private stopping = false;
  private readonly firstOutcome: Promise<void>;
  private settleFirst: (error?: Error) => void = () => undefined;
  private statusNow: NodeRedStatus;

  constructor(options: NodeRedSupervisorOptions) {
    this.options = options;
    this.logger = options.logger;
    this.statusNow = {
      state: "starting",
      user: options.user?.name ?? "(the gateway's)",
      pid: undefined,
      flowsRevision: undefined,
      restarts: 0,
      lastExit: undefined,
      safeModeReason: undefined,
      feedDropped: 0,
    };
    this.firstOutcome = new Promise<void>((resolve, reject) => {
      this.settleFirst = (error) => (error ? reject(error) : resolve());
    });
  }

  /** Starts Node-RED; resolves once it serves the editor, rejects when it never could. */
  async start(): Promise<void> {
    this.watchdog = setInterval(() => this.checkHeartbeat(), WATCHDOG_INTERVAL_MS);
    this.spawnChild();
    await this.firstOutcome;
  }

  /** Where the editor answers, while Node-RED is up. */
  get editorPort(): number | undefined {
    return this.child?.port;
  }

  status(): NodeRedStatus {
    return { ...this.statusNow, feedDropped: this.statusNow.feedDropped + (this.child?.server.dropped ?? 0) };
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.watchdog);
    clearTimeout(this.restartTimer);
    this.settleFirst(new GatewayError("the gateway stopped before Node-RED started"));
    const child = this.child;
    this.statusNow.state = "stopped";
    if (!child) return;
    const exited = new Promise((resolve) => child.process.once("exit", resolve));
    child.channel.send({ t: "stop" });
    const deadline = setTimeout(() => child.process.kill("SIGKILL"), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(deadline);
  }

  private spawnChild(): void {
    const { options } = this;
    const child = spawn(process.execPath, [...NODE_RED_V8_FLAGS, `--max-old-space-size=${options.maxHeapMb}`, CHILD_ENTRY], {
      cwd: options.userDir,
      env: childEnvironment(options.userDir),
      stdio: ["ignore", "pipe", "pipe", "pipe"],
      ...(options.user && { uid: options.user.uid, gid: options.user.gid }),
    });
    const socket = child.stdio[3] as Socket;
    const channel = lineChannel<NodeRedMessage, GatewayMessage>(socket, {
      maxLineBytes: MAX_MESSAGE_BYTES,
      onMessage: (message) => this.receive(running, message),
      onError: (error) => this.kill(running, `broke the channel: ${error.message}`),
    });
    socket.on("error", () => undefined);
    const running: RunningChild = {
      process: child,
      channel,
      server: new FlowChannelServer({
        api: options.api,
        send: (message) => channel.send(message),
        backlogBytes: channel.backlogBytes,
        limits: options.limits,
        logger: this.logger,
      }),
      spawnedAtMs: Date.now(),
      lastBeatMs: Date.now(),
      loaded: false,
      port: undefined,
      killReason: undefined,
    };
    this.child = running;
    this.statusNow = { ...this.statusNow, state: "starting", pid: child.pid };
    this.forwardOutput(child.stdout, "info");
    this.forwardOutput(child.stderr, "warn");
    child.once("error", (error) => {
      this.logger.error({ err: error }, "Node-RED's process failed");
      running.killReason ??= `its process failed: ${error.message}`;
      // A process that never started (a user the gateway may not switch to) sends no exit.
      if (child.pid === undefined) this.exited(running, null, null);
    });
    child.once("exit", (code, signal) => this.exited(running, code, signal));
    channel.send({
      t: "start",
      config: {
        gatewayId: options.api.gatewayId,
        status: options.api.status(),
        userDir: options.userDir,
        adminRoot: options.adminRoot,
        keepBackups: options.keepBackups,
        safeMode: this.safeMode,
        allowListeningNodes: options.allowListeningNodes,
        identityKey: this.identityKey.toString("hex"),
      },
    });
  }

  private receive(running: RunningChild, raw: unknown): void {
    if (running !== this.child) return;
    const parsed = nodeRedMessageSchema.safeParse(raw);
    if (!parsed.success) {
      if (this.outputLines.take()) this.logger.warn({ message: raw }, "Node-RED sent a message the gateway does not take");
      return;
    }
    const message = parsed.data;
    running.lastBeatMs = Date.now();
    switch (message.t) {
      case "heartbeat":
        return;
      case "ready":
        running.port = message.port;
        this.failedStarts = 0;
        this.statusNow.state = this.safeMode ? "safe-mode" : "running";
        this.logger.info({ pid: running.process.pid, safeMode: this.safeMode }, "Node-RED started");
        this.settleFirst();
        return;
      case "flows":
        running.loaded = true;
        this.statusNow.flowsRevision = message.rev;
        // After the start, new flows mean a deploy, which also ends Node-RED's safe mode;
        // should they fail, they get their own quick restarts.
        if (running.port !== undefined) {
          this.backoff.reset();
          this.safeMode = false;
          this.statusNow.state = "running";
          this.statusNow.safeModeReason = undefined;
        }
        return;
      case "log":
        if (this.outputLines.take()) logNodeRedLine(this.logger, message);
        return;
      case "subscribe":
      case "call":
        running.server.handle(message);
        return;
    }
  }

  private forwardOutput(stream: Readable | null, level: "info" | "warn"): void {
    if (!stream) return;
    createInterface({ input: stream, crlfDelay: Infinity }).on("line", (line) => {
      if (this.outputLines.take()) this.logger[level]({ output: level === "info" ? "stdout" : "stderr" }, line.slice(0, 2_000));
    });
  }

  private checkHeartbeat(): void {
    const now = Date.now();
    // After a stall of the gateway's own event loop, timers run before the heartbeats that
    // arrived meanwhile are read: judge Node-RED on the next round.
    const late = now - this.lastCheckMs > 2 * WATCHDOG_INTERVAL_MS;
    this.lastCheckMs = now;
    const running = this.child;
    if (late || !running || running.killReason !== undefined) return;
    const silentMs = now - running.lastBeatMs;
    const limit = running.loaded ? this.options.heartbeatTimeoutMs : LOAD_TIMEOUT_MS;
    if (silentMs > limit) this.kill(running, `no heartbeat for ${(silentMs / 1000).toFixed(1)} s: its event loop is blocked`);
  }

  private kill(running: RunningChild, reason: string): void {
    if (running.killReason !== undefined) return;
    running.killReason = reason;
    this.logger.error({ pid: running.process.pid, reason }, "Node-RED is stuck and is killed");
    running.process.kill("SIGKILL");
  }

  private exited(running: RunningChild, code: number | null, signal: NodeJS.Signals | null): void {
    if (running !== this.child) return;
    running.server.close();
    this.statusNow.feedDropped += running.server.dropped;
    this.child = undefined;
    this.statusNow.pid = undefined;
    if (this.stopping) return;
    const now = Date.now();
    const reason = running.killReason ?? (signal ? `ended by ${signal}` : `exited with code ${code}`);
    const revision = this.statusNow.flowsRevision ?? "none";
    this.statusNow.lastExit = { atMs: now, reason };
    this.statusNow.restarts += 1;
    if (running.port === undefined) this.failedStarts += 1;
    if (now - running.spawnedAtMs > HEALTHY_AFTER_MS) this.backoff.reset();

    const crashes = [...(this.crashes.get(revision) ?? []).filter((at) => now - at < CRASH_WINDOW_MS), now];
    this.crashes.set(revision, crashes);
    if (this.failedStarts >= MAX_FAILED_STARTS) {
      this.statusNow.state = "failed";
      this.options.audit.record("system", "node-red.failed", revision, { reason, starts: this.failedStarts });
      this.logger.error({ reason }, `Node-RED did not start ${this.failedStarts} times in a row; the gateway runs without flows`);
      this.settleFirst(new GatewayError(`Node-RED did not start: ${reason}`, { starts: this.failedStarts }));
      return;
    }
    if (!this.safeMode && crashes.length >= this.options.safeModeAfterCrashes) {
      this.safeMode = true;
      const minutes = CRASH_WINDOW_MS / 60_000;
      this.statusNow.safeModeReason = `the flows (revision ${revision.slice(0, 12)}) brought Node-RED down ${crashes.length} times in ${minutes} minutes; last: ${reason}`;
      this.options.audit.record("system", "node-red.safe-mode", revision, { reason: this.statusNow.safeModeReason });
    }
    const delayMs = this.backoff.nextDelayMs();
    this.options.audit.record("system", "node-red.restart", revision, { reason, delayMs, safeMode: this.safeMode });
    this.logger.warn({ reason, delayMs, safeMode: this.safeMode }, "Node-RED stopped; starting it again");
    this.statusNow.state = "restarting";
    this.restartTimer = setTimeout(() => this.spawnChild(), delayMs);
  }
}

import { spawn } from "node:child_process";
import { createWriteStream, openSync, type WriteStream } from "node:fs";
import { Wallet } from "ethers";
import { DEV_CHAIN_ACCOUNT_COUNT, devChainPrivateKeys } from "./dev-chain-accounts.js";
import { ContractsError } from "./errors.js";
import { contractsPackageRoot, hardhatChildEnv, hardhatCliPath } from "./hardhat-cli.js";

/** A running dev chain: Hardhat's EDR node serving JSON-RPC on 127.0.0.1. */
export interface DevChain {
  /** HTTP JSON-RPC endpoint, e.g. `http://127.0.0.1:40123`. */
  readonly rpcUrl: string;
  readonly chainId: number;
  /** Private keys of the funded accounts (public test keys: dev chain only). */
  readonly accounts: readonly string[];
  /** Process id of the node, for diagnostics. */
  readonly pid: number;
  /** Stops the node and resolves once its process has exited. Safe to call more than once. */
  stop(): Promise<void>;
}

export interface DevChainOptions {
  /** Appends the node's output (including every RPC call it logs) to this file. */
  logFile?: string;
  /** How long to wait for the node to listen; 60 s by default. */
  startTimeoutMs?: number;
}

const READY_LINE = /Started HTTP and WebSocket JSON-RPC server at (http:\/\/[^\s/]+:\d+)/;
const OUTPUT_TAIL_BYTES = 16 * 1024;
const STOP_GRACE_MS = 5_000;

// Loaded in the child before Hardhat. The parent holds the only write end of the child's stdin,
// which the kernel closes however the parent dies (even SIGKILL); the EOF then ends the child.
// This is the pipe watchdog Node lacks a prctl(PR_SET_PDEATHSIG) for. unref: the watch alone must
// not keep a child alive whose Hardhat has finished (e.g. after a config error).
const PARENT_WATCHDOG = "process.stdin.on('end',()=>process.exit(0)).on('error',()=>process.exit(0)).resume().unref();";

/**
 * Starts Hardhat's EDR dev chain as a child process on an ephemeral port of 127.0.0.1.
 *
 * The child ends when `stop()` is called, when this process exits, and (through a stdin
 * watchdog) when this process is killed, even with SIGKILL.
 */
export async function startDevChain(options: DevChainOptions = {}): Promise<DevChain> {
  const startTimeoutMs = options.startTimeoutMs ?? 60_000;
  const log = options.logFile === undefined ? undefined : openLog(options.logFile);
  const child = spawn(
    process.execPath,
    [
      "--import",
      `data:text/javascript,${encodeURIComponent(PARENT_WATCHDOG)}`,
      hardhatCliPath(),
      "node",
      "--port",
      "0",
      "--hostname",
      "127.0.0.1",
    ],
    { cwd: contractsPackageRoot, env: hardhatChildEnv(), stdio: ["pipe", "pipe", "pipe"], detached: false },
  );

  // Keep reading output for the node's whole life (it logs every call; a full pipe would stall it).
  let tail = "";
  const onOutput = (chunk: Buffer): void => {
    log?.write(chunk);
    tail = (tail + chunk.toString("utf8")).slice(-OUTPUT_TAIL_BYTES);
  };
  child.stdout.on("data", onOutput);
  child.stderr.on("data", onOutput);

  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  // A failed spawn or kill reports here; keep it for the error message instead of crashing.
  child.on("error", (error) => {
    tail += `\n[${error.message}]`;
  });
  child.stdin.on("error", () => undefined);
  log?.on("error", (error) => {
    tail += `\n[log file: ${error.message}]`;
  });
  // process.exit() and a normal end of the event loop land here; only synchronous work is possible.
  const killOnExit = (): void => {
    child.kill("SIGKILL");
  };
  process.once("exit", killOnExit);

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
        await exited;
        clearTimeout(timer);
      }
      process.removeListener("exit", killOnExit);
      child.stdin.destroy();
      await closeLog(log);
    })();
    return stopping;
  };

  try {
    const rpcUrl = await waitForReady(child, () => ({ pid: child.pid, output: tail }), startTimeoutMs);
    const chainId = Number(await rpc(rpcUrl, "eth_chainId"));
    const accounts = devChainPrivateKeys();
    await checkAccounts(rpcUrl, accounts);
    if (child.pid === undefined) throw new ContractsError("dev chain has no pid");
    return { rpcUrl, chainId, accounts, pid: child.pid, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

function waitForReady(
  child: ReturnType<typeof spawn>,
  details: () => Record<string, unknown>,
  timeoutMs: number,
): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let seen = "";
    const cleanup = (): void => {
      clearTimeout(timer);
      child.stdout?.removeListener("data", onData);
      child.removeListener("close", onClose);
      child.removeListener("error", onError);
    };
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString("utf8");
      const match = READY_LINE.exec(seen);
      if (match?.[1] !== undefined) {
        cleanup();
        resolve(match[1]);
      }
    };
    // "close", not "exit": by then all of the child's output has been read into the details.
    const onClose = (code: number | null, signal: NodeJS.Signals | null): void => {
      cleanup();
      reject(new ContractsError("dev chain exited before it was ready", { code, signal, ...details() }));
    };
    const onError = (cause: Error): void => {
      cleanup();
      reject(new ContractsError("dev chain could not be started", details(), { cause }));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new ContractsError(`dev chain did not start within ${timeoutMs} ms`, details()));
    }, timeoutMs);
    child.stdout?.on("data", onData);
    child.once("close", onClose);
    child.once("error", onError);
  });
}

async function rpc(rpcUrl: string, method: string, params: unknown[] = []): Promise<unknown> {
  const response = await fetch(rpcUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await response.json()) as { result?: unknown; error?: { message?: string } };
  if (body.error !== undefined || !("result" in body)) {
    throw new ContractsError(`dev chain ${method} failed`, { rpcUrl, error: body.error });
  }
  return body.result;
}

// The keys are derived here, the funding is configured in hardhat.config.ts: fail loudly if they drift.
async function checkAccounts(rpcUrl: string, privateKeys: readonly string[]): Promise<void> {
  const funded = ((await rpc(rpcUrl, "eth_accounts")) as string[]).map((address) => address.toLowerCase());
  const derived = privateKeys.map((key) => new Wallet(key).address.toLowerCase());
  if (funded.length !== DEV_CHAIN_ACCOUNT_COUNT || derived.some((address, index) => funded[index] !== address)) {
    throw new ContractsError("dev chain accounts differ from the keys derived from its mnemonic", { funded, derived });
  }
}

// Opened synchronously so that a bad path fails startDevChain at once, before anything is spawned.
function openLog(path: string): WriteStream {
  return createWriteStream(path, { fd: openSync(path, "a") });
}

function closeLog(log: WriteStream | undefined): Promise<void> {
  if (log === undefined) return Promise.resolve();
  return new Promise<void>((resolve) => log.end(() => resolve()));
}

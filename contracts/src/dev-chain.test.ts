import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { JsonRpcProvider, Wallet } from "ethers";
import { afterAll, describe, expect, it } from "vitest";
import { startDevChain } from "./dev-chain.js";
import { ContractsError } from "./errors.js";
import { contractsPackageRoot } from "./hardhat-cli.js";

/** True while `pid` is a live process; a zombie (exited, not yet reaped) counts as gone. */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

async function waitUntilGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isRunning(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

describe("startDevChain", () => {
  const scratch = mkdtempSync(join(tmpdir(), "dev-chain-"));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it("serves JSON-RPC on 127.0.0.1 with funded accounts, logs to a file, and stops without leftovers", async () => {
    const logFile = join(scratch, "node.log");
    const chain = await startDevChain({ logFile });
    try {
      expect(chain.rpcUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(chain.chainId).toBe(31337);
      expect(chain.accounts).toHaveLength(10);
      const provider = new JsonRpcProvider(chain.rpcUrl, chain.chainId, { staticNetwork: true });
      const first = new Wallet(chain.accounts[0] ?? "", provider);
      expect(await provider.getBalance(first.address)).toBeGreaterThan(10n ** 21n);
      provider.destroy();
      expect(isRunning(chain.pid)).toBe(true);
    } finally {
      await chain.stop();
    }
    expect(isRunning(chain.pid)).toBe(false);
    await chain.stop(); // idempotent
    expect(readFileSync(logFile, "utf8")).toContain("Started HTTP and WebSocket JSON-RPC server");
  });

  it("runs several chains side by side on different ports", async () => {
    const chains = await Promise.all([startDevChain(), startDevChain()]);
    try {
      expect(new Set(chains.map((chain) => chain.rpcUrl)).size).toBe(2);
    } finally {
      await Promise.all(chains.map((chain) => chain.stop()));
    }
  });

  it("fails with the child's details and kills it when the node is not ready in time", async () => {
    const failure = await startDevChain({ startTimeoutMs: 1 }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ContractsError);
    const { message, details } = failure as ContractsError;
    expect(message).toMatch(/did not start within 1 ms/);
    expect(details).toHaveProperty("output");
    expect(isRunning(details["pid"] as number)).toBe(false);
  });

  it("fails with the exit code and the child's output when the node exits before it is ready", async () => {
    const saved = process.env["HARDHAT_CONFIG"];
    process.env["HARDHAT_CONFIG"] = join(scratch, "missing.config.ts");
    try {
      const failure = await startDevChain().catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(ContractsError);
      const { message, details } = failure as ContractsError;
      expect(message).toBe("dev chain exited before it was ready");
      expect(details).toMatchObject({ code: 1, output: expect.stringContaining("missing.config.ts") as unknown });
    } finally {
      if (saved === undefined) delete process.env["HARDHAT_CONFIG"];
      else process.env["HARDHAT_CONFIG"] = saved;
    }
  });

  it("dies with its parent even when the parent is SIGKILLed", async () => {
    const devChainUrl = pathToFileURL(join(contractsPackageRoot, "src/dev-chain.ts")).href;
    const script = `
      const { startDevChain } = await import(${JSON.stringify(devChainUrl)});
      const chain = await startDevChain();
      process.stdout.write(JSON.stringify({ pid: chain.pid }) + "\\n");
      setInterval(() => {}, 1000);
    `;
    const parent = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "--eval", script], {
      cwd: contractsPackageRoot,
      stdio: ["ignore", "pipe", "inherit"],
    });
    const parentExited = new Promise((resolve) => parent.once("exit", resolve));
    const line = await new Promise<string>((resolve, reject) => {
      let out = "";
      parent.stdout.on("data", (chunk: Buffer) => {
        out += chunk.toString("utf8");
        if (out.includes("\n")) resolve(out);
      });
      parent.once("exit", (code) => reject(new Error(`parent exited early with ${code}: ${out}`)));
    });
    const { pid } = JSON.parse(line) as { pid: number };
    try {
      expect(isRunning(pid)).toBe(true);
      parent.kill("SIGKILL");
      await parentExited;
      expect(await waitUntilGone(pid, 10_000)).toBe(true);
    } finally {
      if (isRunning(pid)) process.kill(pid, "SIGKILL");
    }
  });
});

import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import type { Receipt } from "@intelledger/verify";
import type { DemoSystem } from "../demo/demo-system.js";

const run = promisify(execFile);
const repoRoot = join(import.meta.dirname, "../..");

/** The verify command's trust options for a demo system's receipts: its deployment, the development key, one confirmation. */
export function demoTrustArgs(system: DemoSystem, deploymentFile = system.deploymentFile): string[] {
  return [
    "--chain-id",
    String(system.deployment.chainId),
    "--deployment",
    deploymentFile,
    "--min-confirmations",
    "1",
    "--allow-dev-key",
  ];
}

/**
 * Runs `npm run verify`'s command on a receipt (written to a file in `dir`) against a demo
 * system's chain; returns its exit code and what it printed.
 */
export async function runVerifyCommand(
  system: DemoSystem,
  dir: string,
  receipt: Receipt,
  trustArgs = demoTrustArgs(system),
): Promise<{ code: number; output: string }> {
  const file = join(dir, `receipt-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(receipt));
  try {
    const { stdout } = await run(
      process.execPath,
      ["--import", "tsx", "verify/src/cli.ts", "--receipt", file, "--rpc-url", system.chain.rpcUrl, ...trustArgs],
      { cwd: repoRoot },
    );
    return { code: 0, output: stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, output: failed.stdout + failed.stderr };
  }
}

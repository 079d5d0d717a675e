// The `relay` command as operators run it: a process of its own, `node --import tsx
// cloud-relay/src/cli.ts`, started from the repository's root.
import { execFile } from "node:child_process";
import { join } from "node:path";

const REPO_ROOT = join(import.meta.dirname, "../..");
export const RELAY_CLI_TIMEOUT_MS = 60_000;

export interface RelayCliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `relay <args>` to its end; `env` is added to this process's environment. */
export function runRelayCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<RelayCliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", "cloud-relay/src/cli.ts", ...args],
      { cwd: REPO_ROOT, env: { ...process.env, ...env }, timeout: RELAY_CLI_TIMEOUT_MS },
      (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

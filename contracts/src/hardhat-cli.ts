import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ContractsError } from "./errors.js";

const require = createRequire(import.meta.url);

/** The contracts package folder: Hardhat must run here to find hardhat.config.ts. */
export const contractsPackageRoot = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Path of Hardhat's command-line entry point, run with the current Node (process.execPath). */
export function hardhatCliPath(): string {
  let manifestPath: string;
  try {
    manifestPath = require.resolve("hardhat/package.json");
  } catch (cause) {
    // hardhat is a devDependency: a production install (--omit=dev) has no dev chain or compiler.
    throw new ContractsError("hardhat is not installed; install the workspace with its devDependencies", {}, { cause });
  }
  const manifest = require(manifestPath) as { bin?: Record<string, string> };
  const bin = manifest.bin?.["hardhat"];
  if (bin === undefined) throw new ContractsError("hardhat's package.json has no hardhat bin", { manifestPath });
  return join(dirname(manifestPath), bin);
}

/** Environment for Hardhat children: no telemetry prompt, no colours in output we parse. */
export function hardhatChildEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, HARDHAT_DISABLE_TELEMETRY: "true", NO_COLOR: "1" };
  delete env["FORCE_COLOR"];
  return env;
}

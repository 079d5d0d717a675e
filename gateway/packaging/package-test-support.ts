// What the package tests share: running a release's command line, and a root dpkg installs into.
import { execFileSync, spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from "node:child_process";
import { once } from "node:events";
import { mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The node and arguments that run a release's gateway command line from its own Node.js and modules. */
function releaseCommand(releaseDir: string, args: readonly string[]): [string, string[]] {
  return [
    join(releaseDir, "node/bin/node"),
    [
      "--import",
      join(releaseDir, "app/node_modules/tsx/dist/loader.mjs"),
      join(releaseDir, "app/node_modules/@intelledger/gateway/src/cli.ts"),
      ...args,
    ],
  ];
}

const bareEnvironment = { PATH: "/usr/bin:/bin" };

export function releaseCli(releaseDir: string, ...args: string[]): string {
  const [node, nodeArgs] = releaseCommand(releaseDir, args);
  return execFileSync(node, nodeArgs, { encoding: "utf8", cwd: tmpdir(), env: bareEnvironment });
}

/** Starts a release's gateway; resolves once it logged that it started. */
export async function startReleaseGateway(releaseDir: string, configPath: string): Promise<ChildProcess> {
  const [node, nodeArgs] = releaseCommand(releaseDir, ["start", "--config", configPath]);
  const child = spawn(node, nodeArgs, { cwd: tmpdir(), env: bareEnvironment, stdio: ["ignore", "pipe", "pipe"] });
  let seen = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the gateway did not start:\n${seen.slice(-2_000)}`)), 240_000);
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes('"msg":"gateway started"')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("exit", (code) => reject(new Error(`the gateway exited with ${code}:\n${seen.slice(-2_000)}`)));
  });
  return child;
}

export async function stopReleaseGateway(child: ChildProcess): Promise<number | null> {
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  const [code] = (await exited) as [number | null];
  return code;
}

/** An empty root dpkg installs into, running the maintainer scripts against it (DPKG_ROOT). */
export function dpkgRoot(root: string): { root: string; dpkg: (...args: string[]) => SpawnSyncReturns<string> } {
  mkdirSync(join(root, "var/lib/dpkg/info"), { recursive: true });
  mkdirSync(join(root, "var/lib/dpkg/updates"), { recursive: true });
  writeFileSync(join(root, "var/lib/dpkg/status"), "");
  return {
    root,
    // The root has no libc or systemd packages of its own: the host's stand in for them.
    // unsafe-io: no fsync per file, which only a power cut during the test would need.
    dpkg: (...args) =>
      spawnSync("dpkg", [`--root=${root}`, "--force-script-chrootless", "--force-depends", "--force-unsafe-io", ...args], {
        encoding: "utf8",
      }),
  };
}

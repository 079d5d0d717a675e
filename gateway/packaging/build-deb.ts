// Builds the gateway's Debian package for amd64 or arm64 with dpkg-deb: a release folder
// with its own Node.js and every runtime dependency (native addons for that architecture),
// the systemd unit, the system user, the configuration and the maintainer scripts that
// switch releases with a health check and roll back. Usage in docs/appliance.md.
import { execFileSync } from "node:child_process";
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { arch as hostArch, tmpdir } from "node:os";
import { basename, dirname, join, relative } from "node:path";
import { parseArgs } from "node:util";

const packagingDir = import.meta.dirname;
const repoRoot = join(packagingDir, "../..");
const PACKAGE = "intelledger-gateway";

/** Debian's name of an architecture, and Node's. */
const ARCHES = { amd64: "x64", arm64: "arm64" } as const;
type DebianArch = keyof typeof ARCHES;

export interface DebBuild {
  /** The .deb written. */
  path: string;
  version: string;
  arch: DebianArch;
}

export interface DebBuildOptions {
  arch?: DebianArch;
  /** The package's version; the gateway's own by default. */
  version?: string;
  outDir: string;
  /** dpkg-deb's compressor: xz for a release, none or gzip for a quick build. */
  compression?: "xz" | "gzip" | "zstd" | "none";
  /** Where packages of another architecture are cached after their first download. */
  cacheDir?: string;
}

function run(command: string, args: string[], cwd = repoRoot): string {
  return execFileSync(command, args, { cwd, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
}

function packageJson(dir: string): { name: string; version: string } {
  return JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name: string; version: string };
}

/** Unpacks `name@version` from the npm registry into `into` (cached as its tarball). */
function fetchPackage(name: string, version: string, into: string, cacheDir: string): void {
  mkdirSync(cacheDir, { recursive: true });
  const tarball = join(cacheDir, `${name.replace("@", "").replace("/", "-")}-${version}.tgz`);
  if (!existsSync(tarball)) {
    const packed = run("npm", ["pack", "--silent", `${name}@${version}`, "--pack-destination", cacheDir])
      .trim()
      .split("\n")
      .at(-1);
    if (packed === undefined || !existsSync(join(cacheDir, packed))) throw new Error(`npm pack ${name}@${version} gave nothing`);
    if (join(cacheDir, packed) !== tarball) cpSync(join(cacheDir, packed), tarball);
  }
  rmSync(into, { recursive: true, force: true });
  mkdirSync(into, { recursive: true });
  run("tar", ["xzf", tarball, "-C", into, "--strip-components=1"]);
}

interface Manifest {
  name: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

/** The folder Node resolves package `name` to from `fromDir` (its real path), if installed. */
function resolvePackage(name: string, fromDir: string): string | undefined {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, "node_modules", name);
    if (existsSync(join(candidate, "package.json"))) return realpathSync(candidate);
    if (dir === dirname(dir)) return undefined;
  }
}

/**
 * Every package the running gateway loads: the gateway's dependency closure and tsx's (the
 * gateway runs from its TypeScript sources), as real folders mapped to where each goes under
 * the release's app/ folder. Workspace packages go to node_modules/<name>; a package nested
 * under one (gateway/node_modules/zod) goes under that copy. Optional dependencies that are
 * not installed (other platforms' binaries) are left out.
 */
function runtimePackages(): Map<string, string> {
  const workspaces = (JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { workspaces: string[] }).workspaces;
  const workspaceDirs = new Map(
    workspaces.map((workspace) => [join(repoRoot, workspace), `node_modules/${packageJson(join(repoRoot, workspace)).name}`]),
  );
  const targetOf = (dir: string): string => {
    const inWorkspace = [...workspaceDirs].find(([root]) => dir === root || dir.startsWith(`${root}/`));
    return inWorkspace ? join(inWorkspace[1], relative(inWorkspace[0], dir)) : relative(repoRoot, dir);
  };
  const packages = new Map<string, string>();
  const pending = [join(repoRoot, "gateway"), resolvePackage("tsx", repoRoot) ?? ""];
  for (let dir = pending.pop(); dir !== undefined; dir = pending.pop()) {
    if (packages.has(dir)) continue;
    packages.set(dir, targetOf(dir));
    const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as Manifest;
    for (const [names, required] of [
      [Object.keys(manifest.dependencies ?? {}), true],
      [Object.keys(manifest.optionalDependencies ?? {}), false],
    ] as const) {
      for (const name of names) {
        const found = resolvePackage(name, dir);
        if (found === undefined && required) throw new Error(`${manifest.name} needs ${name}, which is not installed`);
        if (found !== undefined) pending.push(found);
      }
    }
  }
  return packages;
}

/** Folders of a workspace package that the running gateway never reads. */
const WORKSPACE_SKIPPED = new Set(["node_modules", "test", "bench", "training", "scripts", "test-vectors"]);

function copyWorkspace(from: string, to: string): void {
  cpSync(from, to, {
    recursive: true,
    filter: (source) =>
      !basename(source).endsWith(".test.ts") && !(dirname(source) === from && WORKSPACE_SKIPPED.has(basename(source))),
  });
}

/** An installed package, hard-linked into the stage (nothing in the stage is modified in place). */
function copyPackage(from: string, to: string): void {
  mkdirSync(dirname(to), { recursive: true });
  run("cp", ["-Rl", from, to]);
  // Nested node_modules are packages of their own in the closure, copied to their own places.
  rmSync(join(to, "node_modules"), { recursive: true, force: true });
}

/**
 * Keeps only the native binaries for `nodeArch` and swaps the host's platform packages
 * (koffi, esbuild, bcrypt …-linux-x64) for the target's, fetched at the same version.
 */
function fitNativeParts(appDir: string, nodeArch: "x64" | "arm64", cacheDir: string): void {
  const modules = join(appDir, "node_modules");
  const onnxBin = join(modules, "onnxruntime-node/bin/napi-v6");
  for (const os of readdirSync(onnxBin)) {
    if (os !== "linux") rmSync(join(onnxBin, os), { recursive: true });
  }
  for (const cpu of readdirSync(join(onnxBin, "linux"))) {
    if (cpu !== nodeArch) rmSync(join(onnxBin, "linux", cpu), { recursive: true });
  }
  for (const prebuilds of [
    "better-sqlite3/prebuilds",
    "@serialport/bindings-cpp/prebuilds",
    "blake-hash/prebuilds",
    "secp256k1/prebuilds",
  ]) {
    const dir = join(modules, prebuilds);
    if (!existsSync(dir)) continue;
    for (const entry of readdirSync(dir)) {
      if (!entry.startsWith(`linux-${nodeArch}`)) rmSync(join(dir, entry), { recursive: true });
    }
  }
  const hostNodeArch = hostArch();
  if (hostNodeArch === nodeArch) return;
  for (const scope of readdirSync(modules).filter((name) => name.startsWith("@"))) {
    for (const name of readdirSync(join(modules, scope))) {
      if (!name.includes(`linux-${hostNodeArch}`)) continue;
      const hostPackage = join(modules, scope, name);
      const { version } = packageJson(hostPackage);
      const targetName = `${scope}/${name.replace(`linux-${hostNodeArch}`, `linux-${nodeArch}`)}`;
      rmSync(hostPackage, { recursive: true });
      fetchPackage(targetName, version, join(modules, targetName), cacheDir);
    }
  }
}

/** The Node.js runtime of the release: this one for the host's architecture, else the npm registry's build of the same version. */
function addNode(releaseDir: string, nodeArch: "x64" | "arm64", cacheDir: string): void {
  const binDir = join(releaseDir, "node/bin");
  mkdirSync(binDir, { recursive: true });
  if (nodeArch === hostArch()) {
    cpSync(process.execPath, join(binDir, "node"));
  } else {
    const unpacked = join(cacheDir, `node-linux-${nodeArch}-${process.versions.node}`);
    if (!existsSync(join(unpacked, "bin/node")))
      fetchPackage(`node-linux-${nodeArch}`, process.versions.node, unpacked, cacheDir);
    cpSync(join(unpacked, "bin/node"), join(binDir, "node"));
  }
  chmodSync(join(binDir, "node"), 0o755);
}

function fill(template: string, values: Record<string, string>): string {
  return template.replaceAll(/@([A-Z_]+)@/g, (whole, key: string) => values[key] ?? whole);
}

/** Builds the package; returns where it is. */
export function buildDeb(options: DebBuildOptions): DebBuild {
  const arch = options.arch ?? (hostArch() === "arm64" ? "arm64" : "amd64");
  const nodeArch = ARCHES[arch];
  const version = options.version ?? packageJson(join(repoRoot, "gateway")).version;
  if (!/^\d+\.\d+\.\d+([~+.][0-9A-Za-z.~+]+)?$/.test(version))
    throw new Error(`--version ${version} is not a Debian version like 1.2.3`);
  const cacheDir = options.cacheDir ?? join(repoRoot, ".tools/packaging-cache");
  const stage = mkdtempSync(join(tmpdir(), "gateway-deb-"));
  try {
    const releaseDir = join(stage, "opt/intelledger/gateway/releases", version);
    const appDir = join(releaseDir, "app");
    mkdirSync(appDir, { recursive: true });
    writeFileSync(
      join(appDir, "package.json"),
      `${JSON.stringify({ name: "intelledger-gateway-release", version, private: true, type: "module" }, null, 2)}\n`,
    );
    const workspaceTargets = new Set(
      (JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { workspaces: string[] }).workspaces.map(
        (workspace) => `node_modules/${packageJson(join(repoRoot, workspace)).name}`,
      ),
    );
    for (const [from, to] of runtimePackages()) {
      if (workspaceTargets.has(to)) copyWorkspace(from, join(appDir, to));
      else copyPackage(from, join(appDir, to));
    }
    // The release names itself (`gateway version`, the API, the LAN announcement) by the package's version.
    const gatewayManifest = join(appDir, "node_modules/@intelledger/gateway/package.json");
    writeFileSync(gatewayManifest, JSON.stringify({ ...JSON.parse(readFileSync(gatewayManifest, "utf8")), version }, null, 2));
    fitNativeParts(appDir, nodeArch, cacheDir);
    addNode(releaseDir, nodeArch, cacheDir);

    const install = (from: string, to: string, mode: number) => {
      mkdirSync(dirname(join(stage, to)), { recursive: true });
      cpSync(join(packagingDir, from), join(stage, to));
      chmodSync(join(stage, to), mode);
    };
    install("intelledger-gateway", "usr/bin/intelledger-gateway", 0o755);
    install("switch-release.sh", "usr/lib/intelledger-gateway/switch-release", 0o755);
    install("intelledger-gateway.service", "lib/systemd/system/intelledger-gateway.service", 0o644);
    install("sysusers.conf", "usr/lib/sysusers.d/intelledger-gateway.conf", 0o644);
    install("gateway.json", "etc/intelledger/gateway.json", 0o640);
    install("../../docs/appliance.md", "usr/share/doc/intelledger-gateway/appliance.md", 0o644);

    const debianDir = join(stage, "DEBIAN");
    mkdirSync(debianDir);
    const installedKb = run("du", ["-sk", "--exclude=DEBIAN", stage]).split("\t")[0] ?? "0";
    const values = { PACKAGE, VERSION: version, ARCH: arch, INSTALLED_SIZE: installedKb };
    for (const file of readdirSync(join(packagingDir, "debian"))) {
      writeFileSync(join(debianDir, file), fill(readFileSync(join(packagingDir, "debian", file), "utf8"), values));
      chmodSync(join(debianDir, file), file === "control" || file === "conffiles" ? 0o644 : 0o755);
    }
    mkdirSync(options.outDir, { recursive: true });
    const path = join(options.outDir, `${PACKAGE}_${version}_${arch}.deb`);
    run("dpkg-deb", ["--root-owner-group", `-Z${options.compression ?? "xz"}`, "--build", stage, path]);
    return { path, version, arch };
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      arch: { type: "string" },
      version: { type: "string" },
      out: { type: "string", default: join(repoRoot, ".data/packages") },
      compression: { type: "string", default: "xz" },
    },
  });
  if (values.arch !== undefined && !(values.arch in ARCHES)) throw new Error(`--arch must be amd64 or arm64, not ${values.arch}`);
  if (!["xz", "gzip", "zstd", "none"].includes(values.compression))
    throw new Error("--compression must be xz, gzip, zstd or none");
  const built = buildDeb({
    outDir: values.out,
    compression: values.compression as NonNullable<DebBuildOptions["compression"]>,
    ...(values.arch === undefined ? {} : { arch: values.arch as DebianArch }),
    ...(values.version === undefined ? {} : { version: values.version }),
  });
  process.stdout.write(`${built.path}\n`);
}

import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync } from "node:fs";
import { arch, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDeb, type DebBuild } from "./build-deb.js";
import { dpkgRoot, releaseCli } from "./package-test-support.js";

const dir = mkdtempSync(join(tmpdir(), "gateway-deb-test-"));
let deb: DebBuild;
let unpacked: string;

beforeAll(() => {
  deb = buildDeb({ outDir: join(dir, "out"), compression: "none" });
  unpacked = join(dir, "unpacked");
  execFileSync("dpkg-deb", ["-x", deb.path, unpacked]);
}, 600_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }), 300_000);

const dpkgDeb = (...args: string[]) => execFileSync("dpkg-deb", args, { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
const release = () => `opt/intelledger/gateway/releases/${deb.version}`;

describe("the gateway's Debian package", () => {
  it("names itself, its architecture, what it depends on and its configuration file", () => {
    const field = (name: string) => dpkgDeb("--field", deb.path, name).trim();
    expect(field("Package")).toBe("intelledger-gateway");
    expect(field("Version")).toBe(deb.version);
    expect(field("Architecture")).toBe(arch() === "arm64" ? "arm64" : "amd64");
    expect(field("Depends")).toMatch(/systemd/);
    expect(Number(field("Installed-Size"))).toBeGreaterThan(100_000);
    expect(dpkgDeb("--ctrl-tarfile", deb.path).length).toBeGreaterThan(0);
    expect(readFileSync(join(unpacked, "etc/intelledger/gateway.json"), "utf8")).toContain('"/var/lib/intelledger"');
    const info = dpkgDeb("--info", deb.path);
    for (const script of ["preinst", "postinst", "prerm", "postrm", "conffiles"]) expect(info).toContain(script);
  });

  it("holds one release with its own Node.js, only this architecture's native binaries and none of the project's tests", () => {
    const files = dpkgDeb("--contents", deb.path)
      .split("\n")
      .map((line) => line.split(/\s+/).at(-1) ?? "");
    const nodeArch = arch();
    for (const expected of [
      "./usr/bin/intelledger-gateway",
      "./usr/lib/intelledger-gateway/switch-release",
      "./lib/systemd/system/intelledger-gateway.service",
      "./usr/lib/sysusers.d/intelledger-gateway.conf",
      `./${release()}/node/bin/node`,
      `./${release()}/app/node_modules/@intelledger/gateway/src/cli.ts`,
      `./${release()}/app/node_modules/@intelledger/circuits/artifacts/`,
      `./${release()}/app/node_modules/better-sqlite3/prebuilds/linux-${nodeArch}.node`,
      `./${release()}/app/node_modules/onnxruntime-node/bin/napi-v6/linux/${nodeArch}/`,
    ]) {
      expect(files, expected).toContain(expected);
    }
    expect(files.filter((file) => /darwin|win32/.test(file) && file.endsWith(".node"))).toEqual([]);
    const ownSources = files.filter((file) =>
      /\/app\/node_modules\/(@intelledger|node-red-contrib-intelledger)\/[^/]+\/(?!node_modules)/.test(file),
    );
    expect(ownSources.length).toBeGreaterThan(100);
    expect(ownSources.filter((file) => file.endsWith(".test.ts"))).toEqual([]);
    console.log(`package: ${(statSync(deb.path).size / 1e6).toFixed(0)} MB uncompressed, ${files.length} entries`);
  });

  it("runs the gateway from the package's files alone", () => {
    const version = JSON.parse(releaseCli(join(unpacked, release()), "version")) as Record<string, string>;
    expect(version).toEqual({ gateway: deb.version, node: process.versions.node, arch: arch() });
  }, 300_000);

  it("has a systemd unit that systemd-analyze verifies with the package's files in place", { timeout: 120_000 }, (context) => {
    const analyze = spawnSync("systemd-analyze", ["--version"]);
    if (analyze.status !== 0) return context.skip("systemd-analyze is not installed");
    // A mount namespace of its own overlays the package's files on the host's, for this command only.
    const overlay = (lower: string, on: string) => `mount -t overlay overlay -o lowerdir=${join(unpacked, lower)}:${on} ${on}`;
    const verify = spawnSync(
      "unshare",
      [
        "-m",
        "sh",
        "-c",
        `${overlay("usr/bin", "/usr/bin")} && ${overlay("lib/systemd/system", "/lib/systemd/system")} && systemd-analyze verify intelledger-gateway.service`,
      ],
      { encoding: "utf8" },
    );
    if (verify.status !== 0 && /unshare|mount/.test(verify.stderr) && !/intelledger/.test(verify.stderr)) {
      return context.skip(`no private mount namespace here to put the package's files in place: ${verify.stderr}`);
    }
    expect(verify.stderr + verify.stdout).toBe("");
    expect(verify.status).toBe(0);
    const unit = readFileSync(join(unpacked, "lib/systemd/system/intelledger-gateway.service"), "utf8");
    for (const line of [
      "Type=notify",
      "WatchdogSec=30s",
      "Restart=on-failure",
      "NoNewPrivileges=yes",
      "ProtectSystem=strict",
      "ReadWritePaths=/var/lib/intelledger",
      "PrivateTmp=yes",
      "DevicePolicy=closed",
      "User=intelledger",
    ]) {
      expect(unit).toContain(line);
    }
  });

  it("installs with dpkg: the system user, its data folder and the release switched to", () => {
    const { root, dpkg } = dpkgRoot(join(dir, "install-root"));
    const installed = dpkg("-i", deb.path);
    expect(installed.status, installed.stderr).toBe(0);
    expect(installed.stdout).toContain(`switch-release: the gateway runs releases/${deb.version}`);
    const user = readFileSync(join(root, "etc/passwd"), "utf8")
      .split("\n")
      .find((line) => line.startsWith("intelledger:"));
    expect(user).toMatch(/^intelledger:x:\d+:\d+:.*:\/var\/lib\/intelledger:\/usr\/sbin\/nologin$/);
    const uid = Number(user?.split(":")[2]);
    expect(readFileSync(join(root, "etc/group"), "utf8")).toMatch(/^dialout:x:\d+:intelledger$/m);
    const data = statSync(join(root, "var/lib/intelledger"));
    expect(data.uid).toBe(uid);
    expect(data.mode & 0o777).toBe(0o750);
    expect(statSync(join(root, "etc/intelledger/gateway.json")).mode & 0o777).toBe(0o640);
    expect(readlinkSync(join(root, "opt/intelledger/gateway/current"))).toBe(`releases/${deb.version}`);

    const removed = dpkg("--purge", "intelledger-gateway");
    expect(removed.status, removed.stderr).toBe(0);
    expect(existsSync(join(root, "opt/intelledger/gateway/current"))).toBe(false);
    // The gateway's identity and unsent readings outlive its software.
    expect(existsSync(join(root, "var/lib/intelledger"))).toBe(true);
  }, 600_000);
});

import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildDeb } from "./build-deb.js";

const ENABLED = process.env["EDGE_ARM64"] === "1";
const FRAMES = 20;
const QEMU = "/usr/bin/qemu-aarch64-static";
const ARM64_LIBC = "/usr/lib/aarch64-linux-gnu/libc.so.6";

/**
 * The esbuild that compiles TypeScript for tsx, this machine's own: a compiler run as a
 * child process, so the gateway's code itself still runs on the arm64 Node.js (emulating the
 * compiler too would only add minutes).
 */
function hostEsbuild(): string {
  const require = createRequire(import.meta.url);
  const packageDir = dirname(require.resolve(`@esbuild/linux-${process.arch}/package.json`));
  return join(packageDir, "bin/esbuild");
}

describe.skipIf(!ENABLED)("the arm64 package under QEMU user emulation (EDGE_ARM64=1)", () => {
  const dir = mkdtempSync(join(tmpdir(), "gateway-arm64-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("runs the gateway's ingest and storage on arm64 Node.js with arm64 native addons", () => {
    for (const needed of [QEMU, ARM64_LIBC]) {
      if (!existsSync(needed)) {
        throw new Error(
          `${needed} is missing: dpkg --add-architecture arm64 && apt-get update && apt-get install qemu-user-static libc6:arm64 libstdc++6:arm64`,
        );
      }
    }
    const deb = buildDeb({ arch: "arm64", outDir: join(dir, "out"), compression: "none" });
    const root = join(dir, "root");
    execFileSync("dpkg-deb", ["-x", deb.path, root]);
    const release = join(root, "opt/intelledger/gateway/releases", deb.version);
    const gatewayDir = join(release, "app/node_modules/@intelledger/gateway");
    expect(execFileSync("file", ["-b", join(release, "node/bin/node")], { encoding: "utf8" })).toMatch(/ARM aarch64/);

    const output = execFileSync(
      QEMU,
      [
        "-L",
        "/",
        join(release, "node/bin/node"),
        "--import",
        join(release, "app/node_modules/tsx/dist/loader.mjs"),
        "packaging/ingest-check.ts",
        String(FRAMES),
      ],
      { cwd: gatewayDir, encoding: "utf8", env: { ...process.env, ESBUILD_BINARY_PATH: hostEsbuild() }, timeout: 1_800_000 },
    );
    const result = JSON.parse(output.trim().split("\n").at(-1) ?? "{}") as Record<string, unknown>;
    expect(result).toMatchObject({
      arch: "arm64",
      frames: FRAMES,
      readingsStored: FRAMES * 3,
      replayRefused: "replayed",
      sealedReadings: FRAMES * 3,
      lastCounter: String(FRAMES),
      integrity: "ok",
    });
    expect(result["batchesSealed"]).toBe(2);
  }, 2_400_000);
});

import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { _electron as electron } from "playwright-core";
import { describe, expect, it } from "vitest";
import { buildConsole } from "../scripts/build.js";

/**
 * Electron's binary where `npm install` could download it (its package names it in path.txt);
 * undefined with the reason where not. Requiring the package would try the download again.
 */
function electronBinary(): { path: string | undefined; reason: string } {
  const packageDir = dirname(createRequire(import.meta.url).resolve("electron/package.json"));
  const pathFile = join(packageDir, "path.txt");
  if (!existsSync(pathFile)) return { path: undefined, reason: `${pathFile} is missing: the binary was not downloaded` };
  const binary = join(process.env["ELECTRON_OVERRIDE_DIST_PATH"] ?? join(packageDir, "dist"), readFileSync(pathFile, "utf8"));
  return existsSync(binary) ? { path: binary, reason: "" } : { path: undefined, reason: `${binary} is missing` };
}

describe("the Electron app", () => {
  it("opens its window sandboxed, with the bridge and nothing of Node, and refuses what the bridge does not offer", async (context) => {
    const binary = electronBinary();
    if (!binary.path) {
      context.skip(`no Electron binary on this machine (installed with ELECTRON_SKIP_BINARY_DOWNLOAD): ${binary.reason}`);
      return;
    }
    await buildConsole();
    const app = await electron.launch({ executablePath: binary.path, args: [join(import.meta.dirname, "..")] });
    try {
      const window = await app.firstWindow();
      await window.getByRole("heading", { name: "Connect to a gateway" }).waitFor();
      const seen = await window.evaluate(async () => {
        const page = globalThis as unknown as Record<string, unknown> & {
          consoleBridge: { invoke(channel: string, input: unknown): Promise<unknown> };
          open(url: string): unknown;
        };
        return {
          require: typeof page["require"],
          process: typeof page["process"],
          bridge: Object.keys(page.consoleBridge).sort(),
          unknown: await page.consoleBridge.invoke("fs.readFile", { path: "/etc/passwd" }),
          invalid: await page.consoleBridge.invoke("discovery.browse", { timeoutMs: "soon" }),
          opened: page.open("https://example.com/") === null,
        };
      });
      expect(seen).toMatchObject({
        require: "undefined",
        process: "undefined",
        bridge: ["invoke", "subscribe"],
        unknown: { ok: false, error: { code: "unknown_channel" } },
        invalid: { ok: false, error: { code: "invalid_input" } },
        opened: true,
      });
      expect(app.windows()).toHaveLength(1);
    } finally {
      await app.close();
    }
  }, 120_000);
});

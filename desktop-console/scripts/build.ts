import { join } from "node:path";
import { build, type InlineConfig } from "vite";

/**
 * Builds the console into dist/: the renderer (Vite, Preact) into dist/renderer, the main
 * process into dist/main.js (ES module) and the preload into dist/preload.cjs (CommonJS, as a
 * sandboxed preload must be). Workspace packages written in TypeScript are bundled in; other
 * dependencies stay in node_modules.
 */
const root = join(import.meta.dirname, "..");
export const DIST = join(root, "dist");

export function rendererBuild(outDir: string): InlineConfig {
  return {
    configFile: false,
    root: join(root, "src/renderer"),
    base: "./",
    logLevel: "warn",
    build: { outDir, emptyOutDir: true, target: "chrome130", sourcemap: true },
  };
}

function nodeBuild(entry: string, fileName: string, format: "es" | "cjs"): InlineConfig {
  return {
    configFile: false,
    root,
    logLevel: "warn",
    ssr: { noExternal: [/^@intelledger\//], external: ["electron"] },
    build: {
      ssr: join(root, entry),
      outDir: DIST,
      emptyOutDir: false,
      target: "node22",
      sourcemap: true,
      rollupOptions: { output: { format, entryFileNames: fileName } },
    },
  };
}

export async function buildConsole(): Promise<void> {
  await build(rendererBuild(join(DIST, "renderer")));
  await build(nodeBuild("src/main/main.ts", "main.js", "es"));
  await build(nodeBuild("src/preload/preload.ts", "preload.cjs", "cjs"));
}

if (import.meta.url === `file://${process.argv[1]}`) await buildConsole();

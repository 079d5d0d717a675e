import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/**
 * The module aliases a bundler needs to bundle this package for a browser (esbuild's `alias`,
 * Vite's `resolve.alias`), besides the `browser` condition: circomlibjs exports its whole package
 * only, and the circuits' browser code asks for its Poseidon module by a name of its own
 * (circuits/src/poseidon-plugin.browser.ts).
 */
export function browserAliases(): Record<string, string> {
  const circomlibjs = createRequire(import.meta.resolve("@intelledger/circuits")).resolve("circomlibjs");
  return { "circomlibjs-poseidon-wasm": join(dirname(circomlibjs), "../src/poseidon_wasm.js") };
}

import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import type * as PoseidonPlugin from "circomlibjs-poseidon-wasm";

/**
 * circomlibjs exports only its whole package, whose index loads ethers 5, EdDSA and a native
 * BLAKE addon (which corrupts the heap when threads that load it end); its Poseidon module is
 * taken alone, from the file the package's index re-exports it from.
 */
export async function loadPoseidonPlugin(): Promise<typeof PoseidonPlugin> {
  const packageEntry = createRequire(import.meta.url).resolve("circomlibjs");
  return (await import(pathToFileURL(join(dirname(packageEntry), "../src/poseidon_wasm.js")).href)) as typeof PoseidonPlugin;
}

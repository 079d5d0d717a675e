import type * as PoseidonPlugin from "circomlibjs-poseidon-wasm";

/**
 * In a browser bundle, circomlibjs's Poseidon module alone (see poseidon-plugin.ts): the bundler
 * maps `circomlibjs-poseidon-wasm` to circomlibjs/src/poseidon_wasm.js, which the package does
 * not export.
 */
export function loadPoseidonPlugin(): Promise<typeof PoseidonPlugin> {
  return import("circomlibjs-poseidon-wasm");
}

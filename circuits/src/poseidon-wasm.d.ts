// The parts of wasmbuilder, wasmcurves and circomlibjs that build the Poseidon WebAssembly module (they ship no types).
declare module "wasmbuilder" {
  export class ModuleBuilder {
    /** The first byte no static data uses. */
    free: number;
    setMemory(pages: number): void;
    alloc(size: number): number;
    build(): Uint8Array;
  }
}

declare module "wasmcurves/src/build_f1m.js" {
  import type { ModuleBuilder } from "wasmbuilder";
  /** Adds Montgomery arithmetic modulo `order` to the module, its functions named `<prefix>_…`. */
  export default function buildF1m(module: ModuleBuilder, order: bigint, prefix: string): string;
}

declare module "circomlibjs-poseidon-wasm" {
  import type { ModuleBuilder } from "wasmbuilder";
  /** Adds circomlib's Poseidon (1 to 16 inputs) to a module that has `frm_…` arithmetic. */
  export function buildPoseidonWasm(module: ModuleBuilder): void;
}

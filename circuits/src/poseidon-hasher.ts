import { loadPoseidonPlugin } from "#poseidon-plugin";
import buildF1m from "wasmcurves/src/build_f1m.js";
import { ModuleBuilder } from "wasmbuilder";

/** Poseidon over the BN254 scalar field, as circomlib's circuits compute it (1 to 16 inputs). */
export interface PoseidonHasher {
  hash(inputs: readonly bigint[]): bigint;
}

/** The BN254 scalar field's order, the field Poseidon works in. */
const FIELD_ORDER = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;
const WORD_BYTES = 32;
const MAX_INPUTS = 16;
const WASM_PAGE_BYTES = 65_536;

/** What this file uses of WebAssembly (the project's TypeScript libraries do not declare it). */
interface WebAssemblyRuntime {
  Memory: new (descriptor: { initial: number }) => { buffer: ArrayBuffer };
  compile(code: Uint8Array): Promise<CompiledWasm>;
  instantiate(module: CompiledWasm, imports: object): Promise<{ exports: unknown }>;
}
const { WebAssembly } = globalThis as unknown as { WebAssembly: WebAssemblyRuntime };
/** A compiled WebAssembly.Module: a worker thread can be handed one and instantiate it. */
type CompiledWasm = object;

/**
 * The Poseidon module compiled, with where its words lie in its memory: what a thread needs to
 * hash without building the module itself. It can be passed to worker threads (workerData).
 */
export interface CompiledPoseidon {
  module: CompiledWasm;
  pages: number;
  state: number;
  input: number;
  output: number;
}

let compiled: Promise<CompiledPoseidon> | undefined;
let shared: Promise<PoseidonHasher> | undefined;

/**
 * circomlibjs's WebAssembly Poseidon is several times faster than pure-BigInt ports, but it
 * builds it into the whole BN254 pairing engine: about 90 MB resident per thread. Built here
 * into a module holding only the field arithmetic it uses, once per thread that builds it.
 * Building it leaves some 60 MB of garbage that the thread's resident memory keeps long after:
 * threads of one process share one build (see loadPoseidon).
 */
export function compilePoseidon(): Promise<CompiledPoseidon> {
  compiled ??= (async () => {
    const { buildPoseidonWasm } = await loadPoseidonPlugin();
    const module = new ModuleBuilder();
    buildF1m(module, FIELD_ORDER, "frm");
    buildPoseidonWasm(module);
    const state = module.alloc(WORD_BYTES);
    const input = module.alloc(WORD_BYTES * MAX_INPUTS);
    const output = module.alloc(WORD_BYTES);
    const pages = Math.ceil(module.free / WASM_PAGE_BYTES) + 1;
    module.setMemory(pages);
    return { module: await WebAssembly.compile(module.build()), pages, state, input, output };
  })();
  return compiled;
}

/** This thread's Poseidon, from the module another thread compiled when given, else compiled here. */
export function loadPoseidon(from?: CompiledPoseidon): Promise<PoseidonHasher> {
  shared ??= (async () => {
    const { module, pages, state, input, output } = from ?? (await compilePoseidon());
    const memory = new WebAssembly.Memory({ initial: pages });
    const instance = await WebAssembly.instantiate(module, { env: { memory } });
    const wasm = instance.exports as {
      frm_zero(pointer: number): void;
      frm_toMontgomery(from: number, to: number): void;
      frm_fromMontgomery(from: number, to: number): void;
      poseidon(state: number, inputs: number, count: number, output: number, outputs: number): void;
    };
    const words = new DataView(memory.buffer);
    return {
      hash(inputs: readonly bigint[]) {
        if (inputs.length < 1 || inputs.length > MAX_INPUTS) {
          throw new RangeError(`Poseidon takes 1 to ${MAX_INPUTS} inputs, got ${inputs.length}`);
        }
        inputs.forEach((value, index) => {
          const at = input + index * WORD_BYTES;
          writeWord(words, at, ((value % FIELD_ORDER) + FIELD_ORDER) % FIELD_ORDER);
          wasm.frm_toMontgomery(at, at);
        });
        wasm.frm_zero(state);
        wasm.poseidon(state, input, inputs.length, output, 1);
        wasm.frm_fromMontgomery(output, output);
        return readWord(words, output);
      },
    };
  })();
  return shared;
}

/** A field element as the module stores it: four 64-bit limbs, least significant first. */
function writeWord(words: DataView, at: number, value: bigint): void {
  for (let limb = 0; limb < 4; limb++) {
    words.setBigUint64(at + limb * 8, (value >> BigInt(limb * 64)) & 0xffff_ffff_ffff_ffffn, true);
  }
}

function readWord(words: DataView, at: number): bigint {
  let value = 0n;
  for (let limb = 3; limb >= 0; limb--) value = (value << 64n) | words.getBigUint64(at + limb * 8, true);
  return value;
}

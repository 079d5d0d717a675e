import { registerHooks } from "node:module";

/** Poseidon over the BN254 scalar field, as circomlib's circuits compute it (1 to 16 inputs). */
export interface PoseidonHasher {
  hash(inputs: readonly bigint[]): bigint;
}

let shared: Promise<PoseidonHasher> | undefined;

/**
 * circomlibjs loads `blake-hash` (for EdDSA, which nothing here uses), whose native addon keeps a
 * JavaScript reference in a process-wide static: every thread that loads it overwrites and frees
 * the reference another thread (or a thread already gone) made, which corrupts the heap when
 * worker threads that load circomlibjs start and end (glibc aborts with "free(): invalid next
 * size"). Its own pure JavaScript build (the one its package names for browsers) is used instead,
 * in every thread that loads Poseidon; the hook is registered before circomlibjs is resolved.
 */
function useBlakeHashWithoutNativeAddon(): void {
  registerHooks({
    resolve: (specifier, context, next) => next(specifier === "blake-hash" ? "blake-hash/js.js" : specifier, context),
  });
}

/** The WebAssembly build of circomlibjs is several times faster than pure-BigInt ports; it is built once per thread. */
export function loadPoseidon(): Promise<PoseidonHasher> {
  shared ??= (async () => {
    useBlakeHashWithoutNativeAddon();
    const { buildPoseidon } = await import("circomlibjs");
    const poseidon = await buildPoseidon();
    // circomlibjs types its field as any; toObject turns a field element into a bigint.
    const field = poseidon.F as { toObject(element: Uint8Array): bigint };
    return {
      hash(inputs: readonly bigint[]) {
        if (inputs.length < 1 || inputs.length > 16) {
          throw new RangeError(`Poseidon takes 1 to 16 inputs, got ${inputs.length}`);
        }
        return field.toObject(poseidon([...inputs]));
      },
    };
  })();
  return shared;
}

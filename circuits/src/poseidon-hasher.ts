import { buildPoseidon } from "circomlibjs";

/** Poseidon over the BN254 scalar field, as circomlib's circuits compute it (1 to 16 inputs). */
export interface PoseidonHasher {
  hash(inputs: readonly bigint[]): bigint;
}

let shared: Promise<PoseidonHasher> | undefined;

/** The WebAssembly build of circomlibjs is several times faster than pure-BigInt ports; it is built once per process. */
export function loadPoseidon(): Promise<PoseidonHasher> {
  shared ??= buildPoseidon().then((poseidon) => {
    // circomlibjs types its field as any; toObject turns a field element into a bigint.
    const field = poseidon.F as { toObject(element: Uint8Array): bigint };
    return {
      hash(inputs) {
        if (inputs.length < 1 || inputs.length > 16) {
          throw new RangeError(`Poseidon takes 1 to 16 inputs, got ${inputs.length}`);
        }
        return field.toObject(poseidon([...inputs]));
      },
    };
  });
  return shared;
}

// circom_runtime ships no types; the reference carries its declaration into every package that type-checks this file.
// eslint-disable-next-line @typescript-eslint/triple-slash-reference
/// <reference path="./circom-runtime.d.ts" />
import type { WitnessCalculator } from "circom_runtime";
import type * as Snarkjs from "snarkjs";
import type { BatchArtifacts, CircuitArtifacts } from "./artifacts.js";
import { WORDS_PER_BATCH } from "./batch-layout.js";
import { loadSnarkjs, type Groth16Proof } from "./batch-verifier.js";
import type { BatchCircuitInput } from "./circuit-input.js";
import { curveTaskRunner, type CurveTaskRunner } from "./curve-task-runner.js";
import { CircuitsError } from "./errors.js";

/** A batch's proof and the public signals it proves (in PUBLIC_SIGNALS order). */
export interface BatchProof {
  proof: Groth16Proof;
  publicSignals: string[];
}

/**
 * Proves a batch on the calling thread (snarkjs still spreads the heavy steps over its own
 * threads). Services prove in a BatchProverPool instead, off their event loop. Throws a
 * CircuitsError when the input does not satisfy the circuit, which is what an out-of-bounds
 * value or a tampered claim comes to.
 */
export async function proveBatch(
  artifacts: Pick<BatchArtifacts, "wasm" | "zkey">,
  input: BatchCircuitInput,
): Promise<BatchProof> {
  if (
    input.words.length !== WORDS_PER_BATCH ||
    Object.values(input)
      .flat()
      .some((signal: string) => !/^\d{1,78}$/.test(signal))
  ) {
    throw new CircuitsError(`a batch circuit input has ${WORDS_PER_BATCH} words and decimal signals`, {
      batchRoot: input.batchRoot,
    });
  }
  return proveWithCircuit(artifacts, { ...input }, "the batch does not satisfy the circuit", { batchRoot: input.batchRoot });
}

/**
 * Proves `input` (decimal signals) with a circuit's witness generator and proving key, on the
 * calling thread; throws a CircuitsError saying `unsatisfied` when the input does not satisfy it.
 */
export async function proveWithCircuit(
  artifacts: Pick<CircuitArtifacts, "wasm" | "zkey">,
  input: Record<string, string | string[]>,
  unsatisfied: string,
  details: Record<string, unknown>,
): Promise<BatchProof> {
  let witness: Uint8Array;
  try {
    witness = await (await witnessCalculator(artifacts.wasm)).calculateWTNSBin(input, true);
  } catch (cause) {
    // A failed run may leave the generator's memory half written: start the next one afresh.
    calculators.delete(artifacts.wasm);
    throw new CircuitsError(unsatisfied, details, { cause });
  }
  const { proof, publicSignals } = await (await loadSnarkjs()).groth16.prove(artifacts.zkey, witness);
  return { proof, publicSignals: [...publicSignals] };
}

// Instantiating the witness generator (a few MB of WebAssembly) costs more than running it,
// so each generator is built once and reused.
const calculators = new WeakMap<Uint8Array, Promise<WitnessCalculator>>();

function witnessCalculator(wasm: Uint8Array): Promise<WitnessCalculator> {
  let calculator = calculators.get(wasm);
  if (calculator === undefined) {
    calculator = import("circom_runtime").then(({ WitnessCalculatorBuilder }) => WitnessCalculatorBuilder(wasm));
    calculators.set(wasm, calculator);
  }
  return calculator;
}

/**
 * Has snarkjs do its curve arithmetic on the calling thread from now on. Left to itself it
 * starts a thread per core for it, each with WebAssembly memory of its own: about 130 MB more
 * for a prover on two cores, more on four, for proofs a gateway makes in the background at low
 * priority. snarkjs keeps the curve it made first in `globalThis.curve_bn128` and reuses it
 * for every later proof; a curve made without threads, put there first, is reused the same way.
 * Its tasks run in a runner that copies no input buffer twice (see curveTaskRunner).
 */
export async function proveOnCallingThreadOnly(): Promise<void> {
  const snarkjs = (await loadSnarkjs()) as typeof Snarkjs & {
    curves: {
      getCurveFromName(
        name: string,
        options: { singleThread: boolean },
      ): Promise<{ tm: { code: Uint8Array; taskManager: CurveTaskRunner } }>;
    };
  };
  const curve = await snarkjs.curves.getCurveFromName("bn128", { singleThread: true });
  curve.tm.taskManager = await curveTaskRunner(curve.tm.code);
  const shared = globalThis as { curve_bn128?: unknown };
  shared.curve_bn128 = curve;
}

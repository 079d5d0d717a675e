import type { CircuitArtifacts } from "./artifacts.js";
import { codeBitsAt, type ReadingInclusion } from "./batch-commitment.js";
import { DISCLOSURE_PUBLIC_SIGNALS, HEADERS_PER_WORD, WORDS_PER_BATCH } from "./batch-layout.js";
import { proveWithCircuit, type BatchProof } from "./batch-prover.js";
import { CircuitsError } from "./errors.js";
import { rangeCodeWidth } from "./range-code.js";
import { disclosureSignals, type DisclosedClaims } from "./reading-inclusion.js";

/** The reading disclosure circuit's input: the public claims and the private words, as decimal strings. */
export type DisclosureCircuitInput = Record<(typeof DISCLOSURE_PUBLIC_SIGNALS)[number], string> & { words: string[] };

/**
 * What reading `inclusion.index` holds in its batch's claims words: its header bits and the
 * codes at its code offset, as wide as its window and its stream's bounds make them.
 */
export function claimsInWords(inclusion: ReadingInclusion): DisclosedClaims {
  const { words, index, codeOffset, header } = inclusion;
  const { stream } = inclusion;
  if (words?.length !== WORDS_PER_BATCH) throw new CircuitsError("a reading's disclosure needs its batch's claims words");
  const width =
    rangeCodeWidth(BigInt(header.windowEndSec - header.windowStartSec)) + rangeCodeWidth(BigInt(stream.max) - BigInt(stream.min));
  const headerWord = words[Math.floor(index / HEADERS_PER_WORD)] ?? 0n;
  return {
    claimsRoot: inclusion.claimsRoot,
    index,
    header: (headerWord >> BigInt(2 * (index % HEADERS_PER_WORD))) & 3n,
    codeOffset,
    width,
    code: codeBitsAt(words, codeOffset, width),
  };
}

/** The input that proves reading `inclusion.index`'s claims against its batch's claims root. */
export function disclosureCircuitInput(inclusion: ReadingInclusion): DisclosureCircuitInput {
  const claims = claimsInWords(inclusion);
  const signals = disclosureSignals(claims);
  const input = Object.fromEntries(DISCLOSURE_PUBLIC_SIGNALS.map((name, i) => [name, signals[i] as string]));
  return { ...(input as Record<(typeof DISCLOSURE_PUBLIC_SIGNALS)[number], string>), words: (inclusion.words ?? []).map(String) };
}

/**
 * Proves a reading's disclosure on the calling thread (services use a prover pool of the
 * "reading-disclosure" circuit instead); a CircuitsError when the words do not hold the claims.
 */
export function proveDisclosure(
  artifacts: Pick<CircuitArtifacts, "wasm" | "zkey">,
  input: DisclosureCircuitInput,
): Promise<BatchProof> {
  return proveWithCircuit(artifacts, { ...input }, "the claims words do not hold the reading's claims", {
    index: input.index,
  });
}

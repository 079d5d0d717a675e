import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { CircuitsError } from "./errors.js";

/** A Groth16 verification key as snarkjs exports it. */
export interface Groth16VerificationKey {
  protocol: "groth16";
  curve: "bn128";
  nPublic: number;
  [field: string]: unknown;
}

/** The circuits package folder. */
export const circuitsPackageRoot = join(dirname(fileURLToPath(import.meta.url)), "..");
/** Where the committed artifacts of the circuits live. */
export const artifactsDir = join(circuitsPackageRoot, "artifacts");

/**
 * The project's circuits: the batch attestation (a gateway proves each batch) and the reading
 * disclosure (a relay proves one reading of a batch for its receipt).
 */
export type CircuitName = "batch-attestation" | "reading-disclosure";

/** The files the artifact build writes for a circuit, by role. */
export function artifactFiles(circuit: CircuitName): { wasm: string; zkey: string; vkey: string; manifest: string } {
  return {
    wasm: `${circuit}.wasm.gz`,
    zkey: `${circuit}.zkey.gz`,
    vkey: `${circuit}.vkey.json`,
    manifest: `${circuit}.manifest.json`,
  };
}

/** The batch circuit's files. */
export const ARTIFACT_FILES = artifactFiles("batch-attestation");

/** What the artifact build pins: how the artifacts were made and their SHA-256 hashes. */
export interface ArtifactManifest {
  circuit: string;
  circom: string;
  snarkjs: string;
  constraints: number;
  wires: number;
  publicSignals: string[];
  ceremony: {
    power: number;
    beacon: string;
    beaconIterationsExp: number;
    ptauSha256: string;
  };
  zkeyBeacon: string;
  /**
   * How the proving key's phase 2 was made: "development" from public beacons only (anyone can
   * forge proofs: tests and demos), "production" from a multi-party ceremony
   * (scripts/key-ceremony.ts). Manifests without it are development ones.
   */
  keyKind?: "development" | "production";
  sha256: {
    r1cs: string;
    wasm: string;
    zkey: string;
    vkey: string;
    verifier: string;
  };
}

/** The witness generator, proving key and verification key of a circuit. */
export interface CircuitArtifacts {
  wasm: Uint8Array;
  zkey: Uint8Array;
  vkey: Groth16VerificationKey;
  manifest: ArtifactManifest;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** The batch circuit's artifacts. */
export type BatchArtifacts = CircuitArtifacts;

export function readManifest(dir: string = artifactsDir, circuit: CircuitName = "batch-attestation"): ArtifactManifest {
  return JSON.parse(readFileSync(join(dir, artifactFiles(circuit).manifest), "utf8")) as ArtifactManifest;
}

/** A file of the artifacts, checked against its pin; `gzipped` files are pinned inflated. */
function readPinned(dir: string, file: string, pinned: string, gzipped: boolean): Buffer {
  const stored = readFileSync(join(dir, file));
  const bytes = gzipped ? gunzipSync(stored) : stored;
  if (sha256Hex(bytes) !== pinned) throw new CircuitsError(`${file} does not match its pinned hash`, { file, pinned });
  return bytes;
}

/**
 * Loads a circuit's artifacts and checks each against the hash the manifest pins, so a
 * corrupted or swapped proving key fails here rather than as a bad proof. The witness generator
 * and the proving key are stored gzipped; the pins are of their inflated bytes.
 */
export function loadCircuitArtifacts(circuit: CircuitName, dir: string = artifactsDir): CircuitArtifacts {
  const manifest = readManifest(dir, circuit);
  const files = artifactFiles(circuit);
  const wasm = readPinned(dir, files.wasm, manifest.sha256.wasm, true);
  const zkey = readPinned(dir, files.zkey, manifest.sha256.zkey, true);
  return { wasm: new Uint8Array(wasm), zkey: new Uint8Array(zkey), vkey: loadVerificationKey(dir, circuit), manifest };
}

export function loadBatchArtifacts(dir: string = artifactsDir): BatchArtifacts {
  return loadCircuitArtifacts("batch-attestation", dir);
}

/** Just the verification key (checked against its pin): all a verifier of a circuit's proofs needs. */
export function loadVerificationKey(
  dir: string = artifactsDir,
  circuit: CircuitName = "batch-attestation",
): Groth16VerificationKey {
  const manifest = readManifest(dir, circuit);
  const file = artifactFiles(circuit).vkey;
  return JSON.parse(readPinned(dir, file, manifest.sha256.vkey, false).toString("utf8")) as Groth16VerificationKey;
}

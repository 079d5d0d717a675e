import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { CircuitsError } from "./errors.js";

/** The circuits package folder. */
/** A Groth16 verification key as snarkjs exports it. */
export interface Groth16VerificationKey {
  protocol: "groth16";
  curve: "bn128";
  nPublic: number;
  [field: string]: unknown;
}

export const circuitsPackageRoot = join(dirname(fileURLToPath(import.meta.url)), "..");
/** Where the committed artifacts of the batch circuit live. */
export const artifactsDir = join(circuitsPackageRoot, "artifacts");

/** The files the artifact build writes, by role. */
export const ARTIFACT_FILES = {
  wasm: "batch-attestation.wasm.gz",
  zkey: "batch-attestation.zkey.gz",
  vkey: "batch-attestation.vkey.json",
  manifest: "batch-attestation.manifest.json",
} as const;

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

/** The witness generator, proving key and verification key of the batch circuit. */
export interface BatchArtifacts {
  wasm: Uint8Array;
  zkey: Uint8Array;
  vkey: Groth16VerificationKey;
  manifest: ArtifactManifest;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

export function readManifest(dir: string = artifactsDir): ArtifactManifest {
  return JSON.parse(readFileSync(join(dir, ARTIFACT_FILES.manifest), "utf8")) as ArtifactManifest;
}

/**
 * Loads the batch circuit's artifacts and checks each against the hash the manifest pins, so a
 * corrupted or swapped proving key fails here rather than as a bad proof. The witness generator
 * and the proving key are stored gzipped; the pins are of their inflated bytes.
 */
function readPinned(dir: string, file: string, pinned: string, gzipped: boolean): Buffer {
  const stored = readFileSync(join(dir, file));
  const bytes = gzipped ? gunzipSync(stored) : stored;
  if (sha256Hex(bytes) !== pinned) throw new CircuitsError(`${file} does not match its pinned hash`, { file, pinned });
  return bytes;
}

export function loadBatchArtifacts(dir: string = artifactsDir): BatchArtifacts {
  const manifest = readManifest(dir);
  const wasm = readPinned(dir, ARTIFACT_FILES.wasm, manifest.sha256.wasm, true);
  const zkey = readPinned(dir, ARTIFACT_FILES.zkey, manifest.sha256.zkey, true);
  return { wasm: new Uint8Array(wasm), zkey: new Uint8Array(zkey), vkey: loadVerificationKey(dir), manifest };
}

/** Just the verification key (checked against its pin): all a verifier of batch proofs needs. */
export function loadVerificationKey(dir: string = artifactsDir): Groth16VerificationKey {
  const manifest = readManifest(dir);
  return JSON.parse(readPinned(dir, ARTIFACT_FILES.vkey, manifest.sha256.vkey, false).toString("utf8")) as Groth16VerificationKey;
}

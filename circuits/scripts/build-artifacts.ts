// Builds the circuits' artifacts reproducibly and pins their hashes, for each circuit (the batch
// attestation and the reading disclosure):
//
//   1. compiles circom/<circuit>-main.circom (circom2, --O2) to R1CS and a WASM witness
//      generator;
//   2. makes the development powers-of-tau ceremony once and caches it outside the repository
//      (new accumulator, one public beacon, prepare phase 2; every step deterministic);
//   3. makes the proving key from the R1CS and the ceremony, with a public beacon as the one
//      phase-2 contribution, and exports the verification key and the Solidity verifier.
//
// Every step is deterministic, so a rebuild gives the same bytes; the manifest pins them.
// A beacon's randomness is public, so these keys are for development only: README.md says
// how production keys are made.
//
//   tsx scripts/build-artifacts.ts            rebuild everything, write artifacts/ and the verifiers
//   tsx scripts/build-artifacts.ts <circuit>  rebuild one circuit (batch-attestation, reading-disclosure)
//   tsx scripts/build-artifacts.ts --check    compile only; fail if an R1CS or WASM differs from its pin
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import * as snarkjs from "snarkjs";
import { readManifest, sha256Hex, type CircuitName } from "../src/artifacts.js";
import { beaconPhase1, CIRCUIT_BUILDS, compileCircuit, writeArtifacts } from "./artifact-writer.js";
const POWER = 13;
/** SHA-256 of "IntelLedger Edge development ceremony": public, so anyone can redo the ceremony. */
const CEREMONY_BEACON = "515f554e78272b05aa04370d48cd727a93dc3b6435cb026a96c84c977ee7ed39";
/** Per circuit, SHA-256 of "IntelLedger Edge development proving key" and of "IntelLedger Edge development disclosure key". */
const ZKEY_BEACONS: Record<CircuitName, string> = {
  "batch-attestation": "d7d86b5494fb1434f5b995e6f460825c9186413811ef3834c285e3bc257b4d8c",
  "reading-disclosure": "3d9cca559e862a0e5a79f2dfd2eb961e21dd81aeff0b3b65f86f2043f41c4f58",
};
const CIRCUITS = Object.keys(CIRCUIT_BUILDS) as CircuitName[];
const BEACON_ITERATIONS_EXP = 10;

export function cacheDir(): string {
  return (
    process.env["INTELLEDGER_CACHE_DIR"] ?? join(process.env["XDG_CACHE_HOME"] ?? join(homedir(), ".cache"), "intelledger-edge")
  );
}

async function ensureCeremony(log: (line: string) => void): Promise<{ path: string; sha256: string }> {
  const dir = join(cacheDir(), "ptau");
  const path = join(dir, `pot${POWER}_final.ptau`);
  if (!existsSync(path)) {
    mkdirSync(dir, { recursive: true });
    log(`making the 2^${POWER} development ceremony in ${dir} (a few minutes, once)`);
    await beaconPhase1({ power: POWER, path: `${path}.tmp`, beacon: CEREMONY_BEACON, iterationsExp: BEACON_ITERATIONS_EXP });
    renameSync(`${path}.tmp`, path);
  }
  return { path, sha256: sha256Hex(readFileSync(path)) };
}

async function build(circuits: readonly CircuitName[]): Promise<void> {
  const log = (line: string): void => void process.stdout.write(`${line}\n`);
  try {
    for (const circuit of circuits) await buildCircuit(circuit, log);
  } finally {
    await (globalThis as { curve_bn128?: { terminate(): Promise<void> } | null }).curve_bn128?.terminate();
  }
}

async function buildCircuit(circuit: CircuitName, log: (line: string) => void): Promise<void> {
  const { source } = CIRCUIT_BUILDS[circuit];
  const scratch = mkdtempSync(join(tmpdir(), `${circuit}-`));
  try {
    log(`compiling ${source}`);
    const compiled = compileCircuit(scratch, source);
    const r1csPath = join(scratch, `${circuit}-main.r1cs`);
    const ceremony = await ensureCeremony(log);
    log(`making the proving key of ${circuit}`);
    const initial = join(scratch, "initial.zkey");
    const zkeyPath = join(scratch, "final.zkey");
    const zkeyBeacon = ZKEY_BEACONS[circuit];
    await snarkjs.zKey.newZKey(r1csPath, ceremony.path, initial);
    await snarkjs.zKey.beacon(initial, zkeyPath, "IntelLedger Edge development proving key", zkeyBeacon, BEACON_ITERATIONS_EXP);
    await writeArtifacts({
      circuit,
      compiled,
      zkeyPath,
      ceremony: {
        power: POWER,
        beacon: CEREMONY_BEACON,
        beaconIterationsExp: BEACON_ITERATIONS_EXP,
        ptauSha256: ceremony.sha256,
      },
      zkeyBeacon,
      keyKind: "development",
      log,
    });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function check(circuit: CircuitName): void {
  const manifest = readManifest(undefined, circuit);
  const scratch = mkdtempSync(join(tmpdir(), `${circuit}-`));
  try {
    const compiled = compileCircuit(scratch, CIRCUIT_BUILDS[circuit].source);
    const stale = [
      sha256Hex(compiled.r1cs) !== manifest.sha256.r1cs && "R1CS",
      sha256Hex(compiled.wasm) !== manifest.sha256.wasm && "WASM",
    ].filter(Boolean);
    if (stale.length > 0) {
      process.stderr.write(
        `${circuit} compiles to a different ${stale.join(" and ")}: run npm run build-artifacts -w circuits\n`,
      );
      process.exitCode = 1;
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

const named = CIRCUITS.filter((circuit) => process.argv.includes(circuit));
const chosen = named.length > 0 ? named : CIRCUITS;
if (process.argv.includes("--check")) chosen.forEach(check);
else await build(chosen);

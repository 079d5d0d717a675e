// Builds the batch circuit's artifacts reproducibly and pins their hashes:
//
//   1. compiles circom/batch-attestation-main.circom (circom2, --O2) to R1CS and a WASM
//      witness generator;
//   2. makes the development powers-of-tau ceremony once and caches it outside the repository
//      (new accumulator, one public beacon, prepare phase 2; every step deterministic);
//   3. makes the proving key from the R1CS and the ceremony, with a public beacon as the one
//      phase-2 contribution, and exports the verification key and the Solidity verifier.
//
// Every step is deterministic, so a rebuild gives the same bytes; the manifest pins them.
// A beacon's randomness is public, so these keys are for development only: README.md says
// how production keys are made.
//
//   tsx scripts/build-artifacts.ts            rebuild everything, write artifacts/ and the verifier
//   tsx scripts/build-artifacts.ts --check    compile only; fail if the R1CS or WASM differ from the pins
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { homedir, tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { gzipSync } from "node:zlib";
import * as snarkjs from "snarkjs";
import {
  ARTIFACT_FILES,
  artifactsDir,
  circuitsPackageRoot,
  readManifest,
  sha256Hex,
  type ArtifactManifest,
} from "../src/artifacts.js";
import { PUBLIC_SIGNALS } from "../src/batch-layout.js";

const require = createRequire(import.meta.url);
const repoRoot = join(circuitsPackageRoot, "..");
const CIRCUIT = "circuits/circom/batch-attestation-main.circom";
const VERIFIER_PATH = join(repoRoot, "contracts/contracts/BatchProofVerifier.sol");
const POWER = 13;
/** SHA-256 of "IntelLedger Edge development ceremony": public, so anyone can redo the ceremony. */
const CEREMONY_BEACON = "515f554e78272b05aa04370d48cd727a93dc3b6435cb026a96c84c977ee7ed39";
/** SHA-256 of "IntelLedger Edge development proving key". */
const ZKEY_BEACON = "d7d86b5494fb1434f5b995e6f460825c9186413811ef3834c285e3bc257b4d8c";
const BEACON_ITERATIONS_EXP = 10;

export function cacheDir(): string {
  return (
    process.env["INTELLEDGER_CACHE_DIR"] ?? join(process.env["XDG_CACHE_HOME"] ?? join(homedir(), ".cache"), "intelledger-edge")
  );
}

/** Version of an installed package (snarkjs does not export its package.json). */
function packageVersion(name: string): string {
  let dir = dirname(require.resolve(name));
  while (!existsSync(join(dir, "package.json"))) dir = dirname(dir);
  return (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { version: string }).version;
}

/** Compiles the circuit into `outDir`; returns the R1CS and WASM bytes. */
export function compileCircuit(outDir: string): { r1cs: Buffer; wasm: Buffer; constraints: number; wires: number } {
  // circom2 runs in WASI and sees only files below its working directory: run it from the
  // repository root, with the hoisted node_modules as include path.
  const output = execFileSync(
    process.execPath,
    [
      require.resolve("circom2/cli.js"),
      CIRCUIT,
      "--r1cs",
      "--wasm",
      "--O2",
      "-l",
      "node_modules",
      "-o",
      relative(repoRoot, outDir),
    ],
    { cwd: repoRoot, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
  );
  const count = (label: string): number => Number(new RegExp(`(?:^|\\s)${label}:\\D*(\\d+)`).exec(output)?.[1] ?? NaN);
  return {
    r1cs: readFileSync(join(outDir, "batch-attestation-main.r1cs")),
    wasm: readFileSync(join(outDir, "batch-attestation-main_js/batch-attestation-main.wasm")),
    constraints: count("non-linear constraints") + count("linear constraints"),
    wires: count("wires"),
  };
}

async function ensureCeremony(log: (line: string) => void): Promise<{ path: string; sha256: string }> {
  const dir = join(cacheDir(), "ptau");
  const path = join(dir, `pot${POWER}_final.ptau`);
  if (!existsSync(path)) {
    mkdirSync(dir, { recursive: true });
    log(`making the 2^${POWER} development ceremony in ${dir} (a few minutes, once)`);
    const fresh = join(dir, `pot${POWER}_new.ptau`);
    const beacon = join(dir, `pot${POWER}_beacon.ptau`);
    const curve = await (
      snarkjs as unknown as { curves: { getCurveFromName(name: string): Promise<unknown> } }
    ).curves.getCurveFromName("bn128");
    await snarkjs.powersOfTau.newAccumulator(curve, POWER, fresh);
    await snarkjs.powersOfTau.beacon(
      fresh,
      beacon,
      "IntelLedger Edge development beacon",
      CEREMONY_BEACON,
      BEACON_ITERATIONS_EXP,
    );
    await snarkjs.powersOfTau.preparePhase2(beacon, `${path}.tmp`);
    renameSync(`${path}.tmp`, path);
    rmSync(fresh, { force: true });
    rmSync(beacon, { force: true });
  }
  return { path, sha256: sha256Hex(readFileSync(path)) };
}

async function build(): Promise<void> {
  const log = (line: string): void => void process.stdout.write(`${line}\n`);
  const scratch = mkdtempSync(join(tmpdir(), "batch-circuit-"));
  try {
    log(`compiling ${CIRCUIT}`);
    const compiled = compileCircuit(scratch);
    const r1csPath = join(scratch, "batch-attestation-main.r1cs");
    const ceremony = await ensureCeremony(log);
    log("making the proving key");
    const initial = join(scratch, "initial.zkey");
    const zkeyPath = join(scratch, "final.zkey");
    mkdirSync(artifactsDir, { recursive: true });
    await snarkjs.zKey.newZKey(r1csPath, ceremony.path, initial);
    await snarkjs.zKey.beacon(initial, zkeyPath, "IntelLedger Edge development proving key", ZKEY_BEACON, BEACON_ITERATIONS_EXP);
    const vkey = `${JSON.stringify(await snarkjs.zKey.exportVerificationKey(zkeyPath), null, 2)}\n`;
    const template = readFileSync(join(dirname(require.resolve("snarkjs")), "../templates/verifier_groth16.sol.ejs"), "utf8");
    const verifier = renderVerifier((await snarkjs.zKey.exportSolidityVerifier(zkeyPath, { groth16: template })) as string);
    writeFileSync(join(artifactsDir, ARTIFACT_FILES.vkey), vkey);
    // Both compress well enough to stay small in the repository; loading inflates them.
    writeFileSync(join(artifactsDir, ARTIFACT_FILES.wasm), gzipSync(compiled.wasm, { level: 9 }));
    writeFileSync(join(artifactsDir, ARTIFACT_FILES.zkey), gzipSync(readFileSync(zkeyPath), { level: 9 }));
    writeFileSync(VERIFIER_PATH, verifier);
    const manifest: ArtifactManifest = {
      circuit: CIRCUIT,
      circom: `circom2 ${packageVersion("circom2")}`,
      snarkjs: packageVersion("snarkjs"),
      constraints: compiled.constraints,
      wires: compiled.wires,
      publicSignals: [...PUBLIC_SIGNALS],
      ceremony: {
        power: POWER,
        beacon: CEREMONY_BEACON,
        beaconIterationsExp: BEACON_ITERATIONS_EXP,
        ptauSha256: ceremony.sha256,
      },
      zkeyBeacon: ZKEY_BEACON,
      sha256: {
        r1cs: sha256Hex(compiled.r1cs),
        wasm: sha256Hex(compiled.wasm),
        zkey: sha256Hex(readFileSync(zkeyPath)),
        vkey: sha256Hex(Buffer.from(vkey)),
        verifier: sha256Hex(Buffer.from(verifier)),
      },
    };
    writeFileSync(join(artifactsDir, ARTIFACT_FILES.manifest), `${JSON.stringify(manifest, null, 2)}\n`);
    log(
      `${compiled.constraints} constraints; wrote ${relative(repoRoot, artifactsDir)} and ${relative(repoRoot, VERIFIER_PATH)}`,
    );
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    await (globalThis as { curve_bn128?: { terminate(): Promise<void> } | null }).curve_bn128?.terminate();
  }
}

/** The generated verifier, renamed for this project and marked as generated. */
function renderVerifier(source: string): string {
  return [
    "// Generated by circuits/scripts/build-artifacts.ts from the batch circuit's proving key",
    "// (snarkjs's Groth16 verifier template). Do not edit: rebuild the circuit artifacts.",
    source.replace(/contract Groth16Verifier\b/, "contract BatchProofVerifier"),
  ].join("\n");
}

function check(): void {
  const manifest = readManifest();
  const scratch = mkdtempSync(join(tmpdir(), "batch-circuit-"));
  try {
    const compiled = compileCircuit(scratch);
    const stale = [
      sha256Hex(compiled.r1cs) !== manifest.sha256.r1cs && "R1CS",
      sha256Hex(compiled.wasm) !== manifest.sha256.wasm && "WASM",
    ].filter(Boolean);
    if (stale.length > 0) {
      process.stderr.write(
        `the circuit compiles to a different ${stale.join(" and ")}: run npm run build-artifacts -w circuits\n`,
      );
      process.exitCode = 1;
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (process.argv.includes("--check")) check();
else await build();

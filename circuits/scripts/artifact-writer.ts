// Writes a circuit's artifacts from its compiled form and a final proving key, with the
// manifest that pins them: what both the development build (build-artifacts.ts) and a
// production key ceremony (key-ceremony.ts) end with.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { basename, dirname, join, relative } from "node:path";
import { gzipSync } from "node:zlib";
import * as snarkjs from "snarkjs";
import {
  artifactFiles,
  artifactsDir as committedArtifactsDir,
  circuitsPackageRoot,
  sha256Hex,
  type ArtifactManifest,
  type CircuitName,
} from "../src/artifacts.js";
import { DISCLOSURE_PUBLIC_SIGNALS, PUBLIC_SIGNALS } from "../src/batch-layout.js";
import { renderBatchVerifier } from "./batch-verifier-source.js";
import { renderDisclosureVerifier } from "./disclosure-verifier-source.js";

const require = createRequire(import.meta.url);
export const repoRoot = join(circuitsPackageRoot, "..");

/** What the build makes of each circuit: its main source, public signals and Solidity verifier. */
export interface CircuitBuild {
  /** The circuit's main file, relative to the repository root. */
  source: string;
  publicSignals: readonly string[];
  /** The Solidity verifier's contract (and file) name. */
  verifier: string;
  /** The verifier's Solidity from snarkjs's Groth16 verifier for the key `vkey`. */
  renderVerifier(snarkjsSource: string, vkey: { IC?: unknown }): string;
}

export const CIRCUIT_BUILDS: Record<CircuitName, CircuitBuild> = {
  "batch-attestation": {
    source: "circuits/circom/batch-attestation-main.circom",
    publicSignals: PUBLIC_SIGNALS,
    verifier: "BatchProofVerifier",
    renderVerifier: renderBatchVerifier,
  },
  "reading-disclosure": {
    source: "circuits/circom/reading-disclosure-main.circom",
    publicSignals: DISCLOSURE_PUBLIC_SIGNALS,
    verifier: "DisclosureProofVerifier",
    renderVerifier: renderDisclosureVerifier,
  },
};

/** The batch circuit's main file. */
export const CIRCUIT = CIRCUIT_BUILDS["batch-attestation"].source;

/** Where a circuit's Solidity verifier is committed. */
function committedVerifierPath(circuit: CircuitName): string {
  return join(repoRoot, `contracts/contracts/${CIRCUIT_BUILDS[circuit].verifier}.sol`);
}

export interface CompiledCircuit {
  /** The circuit's main file, relative to the repository root. */
  circuit: string;
  r1cs: Buffer;
  wasm: Buffer;
  constraints: number;
  wires: number;
}

/** Version of an installed package (snarkjs does not export its package.json). */
function packageVersion(name: string): string {
  let dir = dirname(require.resolve(name));
  while (!existsSync(join(dir, "package.json"))) dir = dirname(dir);
  return (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { version: string }).version;
}

/** Compiles `circuit` (the batch circuit by default) into `outDir`; returns the R1CS and WASM bytes. */
export function compileCircuit(outDir: string, circuit: string = CIRCUIT): CompiledCircuit {
  // circom2 runs in WASI and sees only files below its working directory: run it from the
  // repository root, with the hoisted node_modules as include path.
  const output = execFileSync(
    process.execPath,
    [
      require.resolve("circom2/cli.js"),
      circuit,
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
  const name = basename(circuit, ".circom");
  return {
    circuit,
    r1cs: readFileSync(join(outDir, `${name}.r1cs`)),
    wasm: readFileSync(join(outDir, `${name}_js/${name}.wasm`)),
    constraints: count("non-linear constraints") + count("linear constraints"),
    wires: count("wires"),
  };
}

/**
 * A powers-of-tau phase 1 of 2^`power` made from a public beacon alone, ready for phase 2, at
 * `path`: deterministic, and its toxic waste is public, so it serves development keys only.
 */
export async function beaconPhase1(options: {
  power: number;
  path: string;
  beacon: string;
  iterationsExp: number;
}): Promise<void> {
  const scratch = mkdtempSync(join(tmpdir(), "phase1-"));
  try {
    const fresh = join(scratch, "new.ptau");
    const beaconed = join(scratch, "beacon.ptau");
    const curve = await (
      snarkjs as unknown as { curves: { getCurveFromName(name: string): Promise<unknown> } }
    ).curves.getCurveFromName("bn128");
    await snarkjs.powersOfTau.newAccumulator(curve, options.power, fresh);
    await snarkjs.powersOfTau.beacon(
      fresh,
      beaconed,
      "IntelLedger Edge development beacon",
      options.beacon,
      options.iterationsExp,
    );
    await snarkjs.powersOfTau.preparePhase2(beaconed, options.path);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** The Solidity verifier of `circuit`'s proving key `zkey` (a path, or its bytes). */
export async function verifierSource(circuit: CircuitName, zkey: string | Uint8Array): Promise<string> {
  const template = readFileSync(join(dirname(require.resolve("snarkjs")), "../templates/verifier_groth16.sol.ejs"), "utf8");
  const vkey = (await snarkjs.zKey.exportVerificationKey(zkey)) as { IC?: unknown };
  return CIRCUIT_BUILDS[circuit].renderVerifier(
    (await snarkjs.zKey.exportSolidityVerifier(zkey, { groth16: template })) as string,
    vkey,
  );
}

/** The batch circuit's Solidity verifier of the proving key `zkey` (a path, or its bytes). */
export function batchVerifierSource(zkey: string | Uint8Array): Promise<string> {
  return verifierSource("batch-attestation", zkey);
}

/** Writes the Solidity verifier to `path`; returns its SHA-256, which the manifest pins. */
export function writeVerifier(source: string, path = committedVerifierPath("batch-attestation")): string {
  writeFileSync(path, source);
  return sha256Hex(Buffer.from(source));
}

/** Where the artifacts go: the package's artifacts/ and the contracts' verifier source, unless told otherwise. */
export interface ArtifactDestination {
  artifactsDir: string;
  verifierPath: string;
}

/** Where `circuit`'s artifacts are committed. */
export function committedArtifacts(circuit: CircuitName): ArtifactDestination {
  return { artifactsDir: committedArtifactsDir, verifierPath: committedVerifierPath(circuit) };
}

/**
 * Writes the verification key, the gzipped witness generator and proving key, the Solidity
 * verifier and the manifest pinning them all, from `zkeyPath` (the final proving key).
 */
export async function writeArtifacts(options: {
  /** Which build's file names, public signals and verifier; the batch circuit's unless told. */
  circuit?: CircuitName;
  compiled: CompiledCircuit;
  zkeyPath: string;
  ceremony: ArtifactManifest["ceremony"];
  zkeyBeacon: string;
  keyKind: NonNullable<ArtifactManifest["keyKind"]>;
  destination?: ArtifactDestination;
  log: (line: string) => void;
}): Promise<void> {
  const { compiled, zkeyPath } = options;
  const circuit = options.circuit ?? "batch-attestation";
  const files = artifactFiles(circuit);
  const { artifactsDir, verifierPath } = options.destination ?? committedArtifacts(circuit);
  mkdirSync(artifactsDir, { recursive: true });
  mkdirSync(dirname(verifierPath), { recursive: true });
  const vkey = `${JSON.stringify(await snarkjs.zKey.exportVerificationKey(zkeyPath), null, 2)}\n`;
  const verifier = await verifierSource(circuit, zkeyPath);
  writeFileSync(join(artifactsDir, files.vkey), vkey);
  // Both compress well enough to stay small in the repository; loading inflates them.
  writeFileSync(join(artifactsDir, files.wasm), gzipSync(compiled.wasm, { level: 9 }));
  writeFileSync(join(artifactsDir, files.zkey), gzipSync(readFileSync(zkeyPath), { level: 9 }));
  const verifierSha256 = writeVerifier(verifier, verifierPath);
  const manifest: ArtifactManifest = {
    circuit: compiled.circuit,
    circom: `circom2 ${packageVersion("circom2")}`,
    snarkjs: packageVersion("snarkjs"),
    constraints: compiled.constraints,
    wires: compiled.wires,
    publicSignals: [...CIRCUIT_BUILDS[circuit].publicSignals],
    ceremony: options.ceremony,
    zkeyBeacon: options.zkeyBeacon,
    keyKind: options.keyKind,
    sha256: {
      r1cs: sha256Hex(compiled.r1cs),
      wasm: sha256Hex(compiled.wasm),
      zkey: sha256Hex(readFileSync(zkeyPath)),
      vkey: sha256Hex(Buffer.from(vkey)),
      verifier: verifierSha256,
    },
  };
  writeFileSync(join(artifactsDir, files.manifest), `${JSON.stringify(manifest, null, 2)}\n`);
  options.log(
    `${compiled.constraints} constraints; wrote ${relative(repoRoot, artifactsDir)} and ${relative(repoRoot, verifierPath)}`,
  );
}

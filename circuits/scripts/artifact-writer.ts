// Writes the batch circuit's artifacts from a compiled circuit and a final proving key, with
// the manifest that pins them: what both the development build (build-artifacts.ts) and a
// production key ceremony (key-ceremony.ts) end with.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { basename, dirname, join, relative } from "node:path";
import { gzipSync } from "node:zlib";
import * as snarkjs from "snarkjs";
import {
  ARTIFACT_FILES,
  artifactsDir as committedArtifactsDir,
  circuitsPackageRoot,
  sha256Hex,
  type ArtifactManifest,
} from "../src/artifacts.js";
import { PUBLIC_SIGNALS } from "../src/batch-layout.js";
import { renderBatchVerifier } from "./batch-verifier-source.js";

const require = createRequire(import.meta.url);
export const repoRoot = join(circuitsPackageRoot, "..");
export const CIRCUIT = "circuits/circom/batch-attestation-main.circom";
const VERIFIER_PATH = join(repoRoot, "contracts/contracts/BatchProofVerifier.sol");

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

/** The Solidity verifier of the proving key `zkey` (a path, or its bytes). */
export async function batchVerifierSource(zkey: string | Uint8Array): Promise<string> {
  const template = readFileSync(join(dirname(require.resolve("snarkjs")), "../templates/verifier_groth16.sol.ejs"), "utf8");
  const vkey = (await snarkjs.zKey.exportVerificationKey(zkey)) as { IC?: unknown };
  return renderBatchVerifier((await snarkjs.zKey.exportSolidityVerifier(zkey, { groth16: template })) as string, vkey);
}

/** Writes the Solidity verifier to `path`; returns its SHA-256, which the manifest pins. */
export function writeVerifier(source: string, path = VERIFIER_PATH): string {
  writeFileSync(path, source);
  return sha256Hex(Buffer.from(source));
}

/** Where the artifacts go: the package's artifacts/ and the contracts' verifier source, unless told otherwise. */
export interface ArtifactDestination {
  artifactsDir: string;
  verifierPath: string;
}

export const COMMITTED_ARTIFACTS: ArtifactDestination = { artifactsDir: committedArtifactsDir, verifierPath: VERIFIER_PATH };

/**
 * Writes the verification key, the gzipped witness generator and proving key, the Solidity
 * verifier and the manifest pinning them all, from `zkeyPath` (the final proving key).
 */
export async function writeArtifacts(options: {
  compiled: CompiledCircuit;
  zkeyPath: string;
  ceremony: ArtifactManifest["ceremony"];
  zkeyBeacon: string;
  keyKind: NonNullable<ArtifactManifest["keyKind"]>;
  destination?: ArtifactDestination;
  log: (line: string) => void;
}): Promise<void> {
  const { compiled, zkeyPath } = options;
  const { artifactsDir, verifierPath } = options.destination ?? COMMITTED_ARTIFACTS;
  mkdirSync(artifactsDir, { recursive: true });
  mkdirSync(dirname(verifierPath), { recursive: true });
  const vkey = `${JSON.stringify(await snarkjs.zKey.exportVerificationKey(zkeyPath), null, 2)}\n`;
  const verifier = await batchVerifierSource(zkeyPath);
  writeFileSync(join(artifactsDir, ARTIFACT_FILES.vkey), vkey);
  // Both compress well enough to stay small in the repository; loading inflates them.
  writeFileSync(join(artifactsDir, ARTIFACT_FILES.wasm), gzipSync(compiled.wasm, { level: 9 }));
  writeFileSync(join(artifactsDir, ARTIFACT_FILES.zkey), gzipSync(readFileSync(zkeyPath), { level: 9 }));
  const verifierSha256 = writeVerifier(verifier, verifierPath);
  const manifest: ArtifactManifest = {
    circuit: compiled.circuit,
    circom: `circom2 ${packageVersion("circom2")}`,
    snarkjs: packageVersion("snarkjs"),
    constraints: compiled.constraints,
    wires: compiled.wires,
    publicSignals: [...PUBLIC_SIGNALS],
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
  writeFileSync(join(artifactsDir, ARTIFACT_FILES.manifest), `${JSON.stringify(manifest, null, 2)}\n`);
  options.log(
    `${compiled.constraints} constraints; wrote ${relative(repoRoot, artifactsDir)} and ${relative(repoRoot, verifierPath)}`,
  );
}

// The production key ceremony for the batch circuit: phase 1 from a public multi-party
// powers-of-tau ceremony, phase 2 contributed by several independent parties in turn, sealed
// with a randomness beacon fixed in advance. Each step is a command; the files travel between
// the parties, and everything but the artifacts is public (the transcript).
//
//   tsx scripts/key-ceremony.ts begin --ptau <file> --ptau-sha256 <hex> --out <dir>
//       checks the phase-1 file against its published hash and snarkjs's verification,
//       compiles the circuit, writes <dir>/circuit.r1cs and <dir>/contribution-0000.zkey
//   tsx scripts/key-ceremony.ts contribute --in <zkey> --out <zkey> --name <party>
//       one party's contribution, with fresh randomness of its machine that it never keeps
//   tsx scripts/key-ceremony.ts finish --dir <dir> --in <zkey> --ptau <file> --beacon <hex> [--iterations-exp 10]
//       applies the beacon, verifies the whole chain of contributions against the R1CS and the
//       phase-1 file, and writes artifacts/ and the Solidity verifier with "keyKind": "production"
//
// begin and finish take --circuit <name or file.circom> (reading-disclosure for the disclosure
// circuit, or a main file relative to the repository root; the batch circuit by default) to run
// the ceremony for another circuit, and finish takes --artifacts <dir> to write the artifacts and
// the Solidity verifier there instead of into the repository. A file that is not one of the
// built circuits gets the batch circuit's file names.
//
// Then: npm run generate -w contracts, deploy the verifier, point DataAnchor at it with
// setBatchVerifier, and publish the transcript (every contribution's hash as printed).
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { stringOptions } from "@intelledger/service-kit";
import * as snarkjs from "snarkjs";
import { sha256Hex, type CircuitName } from "../src/artifacts.js";
import { CIRCUIT, CIRCUIT_BUILDS, compileCircuit, writeArtifacts, type ArtifactDestination } from "./artifact-writer.js";

/** The smallest phase 1 that fits the circuit (circuits/README.md, Artifacts). */
const MIN_POWER = 13;

class CeremonyError extends Error {}

const log = (line: string): void => void process.stdout.write(`${line}\n`);
const required = (values: Record<string, string | undefined>, name: string): string =>
  values[name] ??
  ((): never => {
    throw new CeremonyError(`--${name} is required`);
  })();

const artifactsIn = (dir: string, build: CircuitName): ArtifactDestination => ({
  artifactsDir: dir,
  verifierPath: join(dir, `${CIRCUIT_BUILDS[build].verifier}.sol`),
});

/** The main file and the build (file names, verifier) of `--circuit`: a built circuit's name or a main file. */
function circuitOf(option: string): { source: string; build: CircuitName } {
  const builds = Object.entries(CIRCUIT_BUILDS) as [CircuitName, (typeof CIRCUIT_BUILDS)[CircuitName]][];
  const named = builds.find(([name, build]) => name === option || build.source === option);
  return named === undefined ? { source: option, build: "batch-attestation" } : { source: named[1].source, build: named[0] };
}

async function checkPhase1(ptau: string, publishedSha256: string): Promise<string> {
  const sha256 = sha256Hex(readFileSync(ptau));
  if (sha256 !== publishedSha256.toLowerCase()) {
    throw new CeremonyError(`${ptau} has SHA-256 ${sha256}, not the published ${publishedSha256}`);
  }
  // @types/snarkjs has another signature than snarkjs 0.7's powersOfTau.verify(file, logger).
  const verifyPtau = snarkjs.powersOfTau.verify as unknown as (file: string) => Promise<boolean>;
  if (!(await verifyPtau(ptau))) throw new CeremonyError(`${ptau} does not verify as a powers-of-tau file`);
  return sha256;
}

async function main(): Promise<void> {
  const [step, ...args] = process.argv.slice(2);
  const { values } = parseArgs({
    args,
    options: {
      ...stringOptions("ptau", "ptau-sha256", "out", "in", "name", "dir", "beacon", "iterations-exp", "artifacts"),
      circuit: { type: "string", default: CIRCUIT },
    },
  });
  const { source: circuit, build } = circuitOf(values.circuit);
  if (step === "begin") {
    const ptau = required(values, "ptau");
    await checkPhase1(ptau, required(values, "ptau-sha256"));
    const out = required(values, "out");
    mkdirSync(out, { recursive: true });
    const scratch = mkdtempSync(join(tmpdir(), "ceremony-circuit-"));
    try {
      writeFileSync(join(out, "circuit.r1cs"), compileCircuit(scratch, circuit).r1cs);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
    const first = join(out, "contribution-0000.zkey");
    await snarkjs.zKey.newZKey(join(out, "circuit.r1cs"), ptau, first);
    log(`wrote ${first}: hand it to the first party`);
  } else if (step === "contribute") {
    const hash = (await snarkjs.zKey.contribute(
      required(values, "in"),
      required(values, "out"),
      required(values, "name"),
      randomBytes(64).toString("hex"),
    )) as Uint8Array;
    log(`contribution of ${values.name ?? ""}: ${Buffer.from(hash).toString("hex")} (publish it)`);
  } else if (step === "finish") {
    const dir = required(values, "dir");
    const ptau = required(values, "ptau");
    const beacon = required(values, "beacon");
    if (!/^[0-9a-f]{64}$/i.test(beacon))
      throw new CeremonyError("--beacon must be 32 bytes of hex, fixed before the ceremony began");
    const iterationsExp = Number(values["iterations-exp"] ?? 10);
    const final = join(dir, "final.zkey");
    await snarkjs.zKey.beacon(required(values, "in"), final, "IntelLedger Edge production beacon", beacon, iterationsExp);
    const r1cs = join(dir, "circuit.r1cs");
    if (!(await snarkjs.zKey.verifyFromR1cs(r1cs, ptau, final))) {
      throw new CeremonyError("the final key does not verify against the circuit and the phase-1 file");
    }
    const scratch = mkdtempSync(join(tmpdir(), "ceremony-circuit-"));
    try {
      const compiled = compileCircuit(scratch, circuit);
      if (sha256Hex(compiled.r1cs) !== sha256Hex(readFileSync(r1cs))) {
        throw new CeremonyError("the circuit changed since the ceremony began");
      }
      const power = Math.max(MIN_POWER, Math.ceil(Math.log2(compiled.constraints + 8)));
      await writeArtifacts({
        compiled,
        circuit: build,
        zkeyPath: final,
        ceremony: { power, beacon, beaconIterationsExp: iterationsExp, ptauSha256: sha256Hex(readFileSync(ptau)) },
        zkeyBeacon: beacon,
        keyKind: "production",
        ...(values.artifacts === undefined ? {} : { destination: artifactsIn(values.artifacts, build) }),
        log,
      });
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  } else {
    throw new CeremonyError("usage: key-ceremony.ts begin | contribute | finish (see the top of the file)");
  }
}

try {
  await main();
} catch (error) {
  process.stderr.write(`${error instanceof CeremonyError ? error.message : String(error)}\n`);
  process.exitCode = 1;
} finally {
  await (globalThis as { curve_bn128?: { terminate(): Promise<void> } | null }).curve_bn128?.terminate();
}

// The production key ceremony (scripts/key-ceremony.ts) run end to end on a small circuit: a
// phase 1 made here stands in for the public one, two parties contribute, the beacon seals it,
// and the key it writes proves and verifies. EDGE_CEREMONY_CIRCUIT=batch runs it on the batch
// circuit instead (a 2^13 phase 1 and two compilations: several minutes).
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import * as snarkjs from "snarkjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { beaconPhase1, CIRCUIT } from "../scripts/artifact-writer.js";
import { ARTIFACT_FILES, loadBatchArtifacts, loadVerificationKey, readManifest, sha256Hex } from "../src/artifacts.js";
import { BatchCommitment } from "../src/batch-commitment.js";
import { releaseSnarkThreads } from "../src/batch-verifier.js";
import { batchCircuitInput } from "../src/circuit-input.js";
import { loadPoseidon } from "../src/poseidon-hasher.js";
import { sampleReadings } from "../src/sample-readings.js";

const onBatchCircuit = process.env["EDGE_CEREMONY_CIRCUIT"] === "batch";
const circuit = onBatchCircuit ? CIRCUIT : "circuits/test/ceremony-square.circom";
const power = onBatchCircuit ? 13 : 4;
const BEACON = "a3f1c0de".repeat(8);
const run = promisify(execFile);

/** Runs a step of the ceremony from circuits/; resolves with its exit code and output. */
async function ceremony(...args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout } = await run(process.execPath, ["--import", "tsx", "scripts/key-ceremony.ts", ...args], {
      cwd: join(import.meta.dirname, ".."),
    });
    return { code: 0, output: stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, output: failed.stdout + failed.stderr };
  }
}

/** A circuit input the ceremony's circuit accepts. */
async function circuitInput(): Promise<snarkjs.CircuitSignals> {
  if (!onBatchCircuit) return { root: "7" };
  const commitment = BatchCommitment.build(await loadPoseidon(), {
    gatewayId: "0x00000000000000000000000000000000000000aa",
    readings: sampleReadings(20),
  });
  return { ...batchCircuitInput(commitment) };
}

describe(`the production key ceremony, on ${circuit}`, () => {
  let dir: string;
  let ptau: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "key-ceremony-"));
    ptau = join(dir, "phase1.ptau");
    await beaconPhase1({ power, path: ptau, beacon: BEACON, iterationsExp: 10 });
  }, 900_000);

  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await releaseSnarkThreads();
  });

  it("refuses a phase 1 that is not the published one and a beacon that is not 32 bytes", async () => {
    const wrongHash = await ceremony("begin", "--ptau", ptau, "--ptau-sha256", "00".repeat(32), "--out", join(dir, "x"));
    expect(wrongHash.code).toBe(1);
    expect(wrongHash.output).toMatch(/has SHA-256 [0-9a-f]{64}, not the published 0{64}/);
    const badBeacon = await ceremony("finish", "--dir", dir, "--in", ptau, "--ptau", ptau, "--beacon", "abc");
    expect(badBeacon.code).toBe(1);
    expect(badBeacon.output).toContain("--beacon must be 32 bytes of hex");
  }, 120_000);

  it("makes a production key from two parties' contributions that proves and verifies, and that is not the development key", async () => {
    const keys = join(dir, "ceremony");
    const artifacts = join(dir, "artifacts");
    const begun = await ceremony(
      ...["begin", "--ptau", ptau, "--ptau-sha256", sha256Hex(readFileSync(ptau)), "--out", keys, "--circuit", circuit],
    );
    expect(begun.output).toContain("contribution-0000.zkey");
    const contributions = [];
    for (const [index, party] of ["Plant operator A", "Auditor B"].entries()) {
      const contributed = await ceremony(
        ...[
          "contribute",
          "--in",
          join(keys, `contribution-000${index}.zkey`),
          "--out",
          join(keys, `contribution-000${index + 1}.zkey`),
        ],
        ...["--name", party],
      );
      expect(contributed.code, contributed.output).toBe(0);
      contributions.push(/: ([0-9a-f]+) \(publish it\)/.exec(contributed.output)?.[1]);
    }
    expect(new Set(contributions).size, "each party's contribution hash").toBe(2);
    const finished = await ceremony(
      ...["finish", "--dir", keys, "--in", join(keys, "contribution-0002.zkey"), "--ptau", ptau, "--beacon", BEACON],
      ...["--iterations-exp", "10", "--circuit", circuit, "--artifacts", artifacts],
    );
    expect(finished.code, finished.output).toBe(0);

    // The manifest pins what was written and says the key is a production one, which the receipt verifier reads
    // to refuse development keys unless allowed.
    const manifest = readManifest(artifacts);
    expect(manifest.keyKind).toBe("production");
    expect(manifest.circuit).toBe(circuit);
    expect(readFileSync(join(artifacts, "BatchProofVerifier.sol"), "utf8")).toContain("contract BatchProofVerifier");
    const { wasm, zkey, vkey } = loadBatchArtifacts(artifacts);
    expect(vkey).toEqual(loadVerificationKey(artifacts));

    const { proof, publicSignals } = await snarkjs.groth16.fullProve(
      await circuitInput(),
      { type: "mem", data: wasm } as unknown as string,
      { type: "mem", data: zkey } as unknown as string,
    );
    expect(await snarkjs.groth16.verify(vkey, publicSignals, proof)).toBe(true);
    const forged = [...publicSignals];
    forged[0] = String(BigInt(forged[0] ?? "0") + 1n);
    expect(await snarkjs.groth16.verify(vkey, forged, proof)).toBe(false);

    // The committed development key is another key, and says what it is.
    expect(readManifest().keyKind).toBe("development");
    expect(sha256Hex(readFileSync(join(artifacts, ARTIFACT_FILES.vkey)))).not.toBe(readManifest().sha256.vkey);
  }, 900_000);
});

import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as snarkjs from "snarkjs";
import { afterAll, describe, expect, it } from "vitest";
import {
  artifactFiles,
  artifactsDir,
  circuitsPackageRoot,
  loadCircuitArtifacts,
  readManifest,
  sha256Hex,
  type CircuitName,
} from "./artifacts.js";
import { DISCLOSURE_PUBLIC_SIGNALS, PUBLIC_SIGNALS } from "./batch-layout.js";
import { releaseSnarkThreads } from "./batch-verifier.js";
import { verifierSource } from "../scripts/artifact-writer.js";

const CIRCUITS: { circuit: CircuitName; publicSignals: readonly string[]; verifier: string }[] = [
  { circuit: "batch-attestation", publicSignals: PUBLIC_SIGNALS, verifier: "BatchProofVerifier" },
  { circuit: "reading-disclosure", publicSignals: DISCLOSURE_PUBLIC_SIGNALS, verifier: "DisclosureProofVerifier" },
];

describe("circuit artifacts", () => {
  afterAll(async () => {
    await releaseSnarkThreads();
  });

  it("are what the circuit sources compile to (R1CS and witness generators)", () => {
    // Compiles both circuits with circom2; the proving keys are pinned instead, since remaking them needs the ceremony.
    execFileSync(process.execPath, ["--import", "tsx", "scripts/build-artifacts.ts", "--check"], {
      cwd: circuitsPackageRoot,
      stdio: "pipe",
    });
    // About 15 s on an idle machine; minutes when the machine is busy.
  }, 900_000);

  describe.each(CIRCUITS)("of $circuit", ({ circuit, publicSignals, verifier }) => {
    const manifest = readManifest(undefined, circuit);
    const files = artifactFiles(circuit);

    it("load only when every file matches its pinned hash", () => {
      const artifacts = loadCircuitArtifacts(circuit);
      expect(artifacts.vkey.nPublic).toBe(publicSignals.length);
      expect(manifest.publicSignals).toEqual([...publicSignals]);
      expect(sha256Hex(readFileSync(join(artifactsDir, files.vkey)))).toBe(manifest.sha256.vkey);
    });

    it("carry the verification key and the Solidity verifier of the committed proving key", async () => {
      const { zkey, vkey } = loadCircuitArtifacts(circuit);
      expect(await snarkjs.zKey.exportVerificationKey(zkey)).toEqual(vkey);
      const source = readFileSync(join(circuitsPackageRoot, `../contracts/contracts/${verifier}.sol`));
      expect(sha256Hex(source), `contracts/contracts/${verifier}.sol is stale: rebuild the circuit artifacts`).toBe(
        manifest.sha256.verifier,
      );
      const [, delta] = /uint256 constant deltax1 = (\d+);/.exec(source.toString()) ?? [];
      expect((vkey["vk_delta_2"] as string[][])[0]?.[1]).toBe(delta);
      expect(source.toString(), `${verifier}.sol is not what the build generates from the committed key`).toBe(
        await verifierSource(circuit, zkey),
      );
    });

    it("stay small enough to commit", () => {
      for (const file of Object.values(files)) {
        expect(readFileSync(join(artifactsDir, file)).length, file).toBeLessThan(5 * 1024 * 1024);
      }
    });
  });
});

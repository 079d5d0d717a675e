import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// What `verify` says before it asks the chain anything; receipt-verify.test.ts (scripts/system)
// runs it against a running system's receipts.
describe("the verify command's usage errors", () => {
  let dir: string;
  let deployment: string;

  async function verify(...args: string[]): Promise<{ code: number; stderr: string }> {
    try {
      await promisify(execFile)(process.execPath, ["--import", "tsx", join(import.meta.dirname, "cli.ts"), ...args]);
      return { code: 0, stderr: "" };
    } catch (error) {
      return error as { code: number; stderr: string };
    }
  }

  const file = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "verify-cli-"));
    const address = `0x${"11".repeat(20)}`;
    deployment = file(
      "deployment.json",
      JSON.stringify({
        chainId: 31337,
        dataAnchor: address,
        registry: address,
        batchVerifier: address,
        disclosureVerifier: address,
        blockNumber: 1,
      }),
    );
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const trust = () => ["--rpc-url", "http://127.0.0.1:9", "--chain-id", "31337", "--deployment", deployment];

  it("exits 2 naming the missing or malformed option, with the usage", async () => {
    const missing = await verify(...trust());
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^--receipt is required\nusage: verify --receipt/);
    const chainId = await verify("--receipt", "-", "--rpc-url", "http://127.0.0.1:9", "--chain-id", "0");
    expect(chainId.code).toBe(2);
    expect(chainId.stderr).toContain("--chain-id must be a whole number from 1");
    const confirmations = await verify("--receipt", "-", ...trust(), "--min-confirmations", "many");
    expect(confirmations.stderr).toContain("--min-confirmations must be a whole number from 1");
  }, 120_000);

  it("exits 2 on a deployment or receipt that cannot be read or is not well formed, naming the field", async () => {
    const deploymentWithout = await verify(
      ...["--receipt", file("r.json", "{}"), "--rpc-url", "http://127.0.0.1:9", "--chain-id", "31337"],
      ...["--deployment", file("d.json", JSON.stringify({ chainId: 31337 }))],
    );
    expect(deploymentWithout.code).toBe(2);
    expect(deploymentWithout.stderr).toMatch(/the deployment is not well formed:[^]*dataAnchor/);
    const notJson = await verify("--receipt", file("bad.json", "{ not json"), ...trust());
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toContain("cannot read the receipt");
    const partial = await verify("--receipt", file("partial.json", JSON.stringify({ version: 1 })), ...trust());
    expect(partial.code).toBe(2);
    expect(partial.stderr).toMatch(/the receipt is not well formed:[^]*reading/);
  }, 120_000);
});

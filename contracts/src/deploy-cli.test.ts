import { execFile, spawn } from "node:child_process";
import { promisify } from "node:util";
import { JsonRpcProvider, Wallet, ZeroHash, id } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dataAnchorAbi } from "./generated/data-anchor-artifact.js";
import { gatewayRegistryAbi } from "./generated/gateway-registry-artifact.js";
import { contractsPackageRoot } from "./hardhat-cli.js";
import { abiAddress, abiHex, TypedContract } from "./typed-contract.js";
import { startTestChain, type TestChain } from "../test/test-chain.js";

const run = promisify(execFile);

/** Runs the deploy CLI as a user would and returns its exit code and output. */
async function deployCli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ["--import", "tsx", "src/deploy-cli.ts", ...args], {
      cwd: contractsPackageRoot,
      env: { ...process.env, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? "", stderr: failed.stderr ?? "" };
  }
}

describe("deploy-cli --dev-chain", () => {
  it("starts a dev chain, deploys to it, keeps it running and stops it on SIGINT", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/deploy-cli.ts", "--dev-chain"], {
      cwd: contractsPackageRoot,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    while (!stdout.includes("\n")) {
      if (child.exitCode !== null) throw new Error(`deploy-cli exited early: ${stdout}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const printed = JSON.parse(stdout) as { rpcUrl: string; dataAnchor: string; chainId: number };
    expect(printed.chainId).toBe(31337);
    const provider = new JsonRpcProvider(printed.rpcUrl, printed.chainId, { staticNetwork: true });
    expect(await provider.getCode(printed.dataAnchor)).not.toBe("0x");
    provider.destroy();
    child.kill("SIGINT");
    expect(await exited).toBe(0);
  });
});

describe("deploy-cli", () => {
  let chain: TestChain;
  let deployerKey: string;
  let anchorer: string;

  beforeAll(async () => {
    chain = await startTestChain();
    deployerKey = chain.wallets[3].privateKey;
    anchorer = chain.wallets[4].address;
  });

  afterAll(async () => {
    await chain?.stop();
  });

  it("deploys to an RPC URL with the key from DEPLOYER_PRIVATE_KEY, registers gateways and prints JSON", async () => {
    const gateway = Wallet.createRandom().address;
    const result = await deployCli(["--rpc-url", chain.rpcUrl, "--anchorer", anchorer.toLowerCase(), "--gateway", gateway], {
      DEPLOYER_PRIVATE_KEY: deployerKey,
    });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const printed = JSON.parse(result.stdout) as Record<string, unknown>;
    const admin = new Wallet(deployerKey).address;
    expect(printed).toMatchObject({ chainId: 31337, admin, anchorer, gateways: [gateway] });
    const contract = new TypedContract(printed["dataAnchor"] as string, dataAnchorAbi, chain.provider);
    expect(await contract.read("hasRole", [abiHex(id("ANCHORER_ROLE")), abiAddress(anchorer)])).toEqual([true]);
    expect(await contract.read("hasRole", [abiHex(ZeroHash), abiAddress(admin)])).toEqual([true]);
    expect(await contract.read("registry", [])).toEqual([printed["registry"]]);
    const registry = new TypedContract(printed["registry"] as string, gatewayRegistryAbi, chain.provider);
    expect(await registry.read("isActiveGateway", [abiAddress(gateway)])).toEqual([true]);
    expect(result.stdout).not.toContain(deployerKey.slice(2));
  });

  it("explains what is missing, exits with 2, and never echoes the key", async () => {
    const noKey = await deployCli(["--rpc-url", chain.rpcUrl, "--anchorer", anchorer], { DEPLOYER_PRIVATE_KEY: "" });
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain("DEPLOYER_PRIVATE_KEY is not set");

    const badAnchorer = await deployCli(["--rpc-url", chain.rpcUrl, "--anchorer", "relay"], {
      DEPLOYER_PRIVATE_KEY: deployerKey,
    });
    expect(badAnchorer.code).toBe(2);
    expect(badAnchorer.stderr).toContain("--anchorer must be an address");
    expect(badAnchorer.stderr).not.toContain(deployerKey.slice(2));

    const nothing = await deployCli(["--anchorer", anchorer], { DEPLOYER_PRIVATE_KEY: deployerKey });
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain("--rpc-url or --dev-chain is required");
  });
});

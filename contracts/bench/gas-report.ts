// Gas per call of the contracts, and gas per anchored reading at the reference load, measured
// on the dev chain in one run:
//   npx tsx contracts/bench/gas-report.ts
// Reference: a relay serving 20,000 readings/s that anchors one root per 5 s interval
// (root-only), against anchoring every full batch with its proof checked on chain.
import {
  BATCH_CAPACITY,
  BatchCommitment,
  batchablePrefix,
  batchCircuitInput,
  loadBatchArtifacts,
  loadPoseidon,
  proveBatch,
  releaseSnarkThreads,
} from "@intelledger/circuits";
import {
  Contract,
  JsonRpcProvider,
  Wallet,
  encodeBytes32String,
  hexlify,
  randomBytes,
  type ContractTransactionReceipt,
} from "ethers";
import { batchProofCalldata } from "../src/batch-proof-calldata.js";
import { sendAndWait } from "../src/contract-calls.js";
import { deployEdgeContracts } from "../src/deploy-data-anchor.js";
import { startDevChain } from "../src/dev-chain.js";
import { dataAnchorAbi } from "../src/generated/data-anchor-artifact.js";
import { gatewayRegistryAbi } from "../src/generated/gateway-registry-artifact.js";

const RELAY_READINGS_PER_SECOND = 20_000;
const ANCHOR_INTERVAL_S = 5;

const chain = await startDevChain();
const provider = new JsonRpcProvider(chain.rpcUrl, chain.chainId, { staticNetwork: true, cacheTimeout: -1 });
try {
  const [adminKey, anchorerKey, gatewayKey] = chain.accounts;
  const admin = new Wallet(adminKey ?? "", provider);
  const anchorer = new Wallet(anchorerKey ?? "", provider);
  const gateway = new Wallet(gatewayKey ?? "", provider);
  const before = await provider.getBlockNumber();
  const deployment = await deployEdgeContracts(admin, { anchorer: anchorer.address });
  let deploymentGas = 0n;
  for (let block = before + 1; block <= deployment.blockNumber; block++) {
    for (const hash of (await provider.getBlock(block))?.transactions ?? [])
      deploymentGas += (await provider.getTransactionReceipt(hash))?.gasUsed ?? 0n;
  }
  const registry = new Contract(deployment.registry, gatewayRegistryAbi, admin);
  const anchor = new Contract(deployment.address, dataAnchorAbi, anchorer);
  const rows: [string, bigint][] = [["deploy everything (2 verifiers, 2 implementations, 2 proxies)", deploymentGas]];
  const measure = async (label: string, receipt: Promise<ContractTransactionReceipt>): Promise<bigint> => {
    const { gasUsed } = await receipt;
    rows.push([label, gasUsed]);
    return gasUsed;
  };

  await measure("GatewayRegistry.registerGateway", sendAndWait(registry, "registerGateway", gateway.address));
  const deviceId = encodeBytes32String("esp32-01");
  await measure(
    "GatewayRegistry.registerDevice",
    sendAndWait(registry, "registerDevice", deviceId, gateway.address, hexlify(new Uint8Array([4, ...randomBytes(64)]))),
  );
  const rootOnly = await measure(
    "DataAnchor.anchor (root-only)",
    sendAndWait(anchor, "anchor", hexlify(randomBytes(32)), 139n, BigInt(RELAY_READINGS_PER_SECOND * ANCHOR_INTERVAL_S)),
  );

  const hasher = await loadPoseidon();
  // A full batch of the reference gateway (50 four-channel devices at 1 Hz) with configured bounds.
  const bounds = () => ({ min: -4000, max: 12_000 });
  const fleet = Array.from({ length: BATCH_CAPACITY }, (_, i) => ({
    gatewaySeq: i + 1,
    deviceId: `esp32-${Math.floor(i / 4) % 50}`,
    frameCounter: Math.floor(i / 200) + 1,
    channel: 1 + (i % 4),
    channelIndex: 0,
    sampledAtMs: 1_763_000_000_000 + i * 5,
    receivedAtMs: 1_763_000_000_010 + i * 5,
    value: 2000 + i,
    scale: 2,
  }));
  const readings = fleet.slice(0, batchablePrefix(fleet, bounds));
  const commitment = BatchCommitment.build(hasher, { gatewayId: gateway.address, readings, bounds });
  const proof = await proveBatch(loadBatchArtifacts(), batchCircuitInput(commitment));
  const calldata = batchProofCalldata(proof.proof, proof.publicSignals);
  const verified = await measure(
    `DataAnchor.anchorVerifiedBatch (${readings.length} readings)`,
    sendAndWait(anchor, "anchorVerifiedBatch", calldata.pA, calldata.pB, calldata.pC, calldata.claims),
  );
  await measure("GatewayRegistry.deactivateDevice", sendAndWait(registry, "deactivateDevice", deviceId));
  await measure("GatewayRegistry.deactivateGateway", sendAndWait(registry, "deactivateGateway", gateway.address));

  console.log("gas per call (dev chain, EVM cancun, solc 0.8.28 optimizer 200 runs):");
  for (const [label, gas] of rows) console.log(`  ${label.padEnd(62)} ${gas.toString().padStart(9)}`);
  const perInterval = RELAY_READINGS_PER_SECOND * ANCHOR_INTERVAL_S;
  console.log(
    `reference load: ${RELAY_READINGS_PER_SECOND} readings/s relay-wide, one anchor per ${ANCHOR_INTERVAL_S} s interval`,
  );
  console.log(
    `  root-only anchoring:      ${(Number(rootOnly) / perInterval).toFixed(3)} gas per anchored reading (${rootOnly} gas per ${perInterval} readings; target < 1: ${Number(rootOnly) / perInterval < 1 ? "met" : "missed"})`,
  );
  console.log(
    `  on-chain-verified path:   ${(Number(verified) / readings.length).toFixed(0)} gas per anchored reading (${verified} gas per full batch of ${readings.length}; ${Math.ceil(RELAY_READINGS_PER_SECOND / readings.length)} such transactions/s at the reference load)`,
  );
} finally {
  provider.destroy();
  await chain.stop();
  await releaseSnarkThreads();
}

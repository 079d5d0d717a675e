// Gas per call of the contracts, and gas per anchored reading at the reference load, measured
// on the dev chain in one run:
//   npx tsx contracts/bench/gas-report.ts [--max-batches 16]
// Reference: a relay serving 20,000 readings/s that anchors one root per 5 s interval
// (root-only), against anchoring full batches with their proofs checked on chain: one batch per
// transaction (anchorVerifiedBatch, the baseline), and k batches of k distinct gateways per
// transaction with one batch verification (anchorVerifiedBatches), against 300 gas per reading.
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
import { parseArgs } from "node:util";
import { Wallet, encodeBytes32String, randomBytes, type ContractTransactionReceipt } from "ethers";
import { batchProofCalldata, batchProofsCalldata } from "../src/batch-proof-calldata.js";
import { sendAndWait } from "../src/contract-calls.js";
import { deployEdgeContracts } from "../src/deploy-data-anchor.js";
import { dataAnchorAbi } from "../src/generated/data-anchor-artifact.js";
import { gatewayRegistryAbi } from "../src/generated/gateway-registry-artifact.js";
import { abiAddress, abiHex, TypedContract } from "../src/typed-contract.js";
import { startTestChain } from "../test/test-chain.js";

const RELAY_READINGS_PER_SECOND = 20_000;
const ANCHOR_INTERVAL_S = 5;
/** What on-chain verified anchoring may cost per reading. */
const VERIFIED_GAS_PER_READING_BOUND = 300;

const { values } = parseArgs({ options: { "max-batches": { type: "string", default: "16" } } });
const maxBatches = Number(values["max-batches"]);
const batchCounts = [1, 4, 8, 16, 32].filter((k) => k <= maxBatches);

const chain = await startTestChain();
const { provider } = chain;
try {
  const [admin, anchorer, gateway] = chain.wallets;
  const before = await provider.getBlockNumber();
  const deployment = await deployEdgeContracts(admin, { anchorer: anchorer.address });
  let deploymentGas = 0n;
  for (let block = before + 1; block <= deployment.blockNumber; block++) {
    for (const hash of (await provider.getBlock(block))?.transactions ?? [])
      deploymentGas += (await provider.getTransactionReceipt(hash))?.gasUsed ?? 0n;
  }
  const registry = new TypedContract(deployment.registry, gatewayRegistryAbi, admin);
  const anchor = new TypedContract(deployment.address, dataAnchorAbi, anchorer);
  const rows: [string, bigint][] = [["deploy everything (2 verifiers, 2 implementations, 2 proxies)", deploymentGas]];
  const measure = async (label: string, receipt: Promise<ContractTransactionReceipt>): Promise<bigint> => {
    const { gasUsed } = await receipt;
    rows.push([label, gasUsed]);
    return gasUsed;
  };

  await measure("GatewayRegistry.registerGateway", sendAndWait(registry, "registerGateway", [abiAddress(gateway.address)]));
  const deviceId = abiHex(encodeBytes32String("esp32-01"));
  await measure(
    "GatewayRegistry.registerDevice",
    sendAndWait(registry, "registerDevice", [
      deviceId,
      abiAddress(gateway.address),
      abiHex(new Uint8Array([4, ...randomBytes(64)])),
    ]),
  );
  const rootOnly = await measure(
    "DataAnchor.anchor (root-only)",
    sendAndWait(anchor, "anchor", [abiHex(randomBytes(32)), 139n, BigInt(RELAY_READINGS_PER_SECOND * ANCHOR_INTERVAL_S)]),
  );

  const hasher = await loadPoseidon();
  const artifacts = loadBatchArtifacts();
  // A full batch of a reference gateway (50 four-channel devices at 1 Hz) with configured bounds.
  const bounds = () => ({ min: -4000, max: 12_000 });
  const fullBatch = async (gatewayId: string, batchIndex: number) => {
    const fleet = Array.from({ length: BATCH_CAPACITY }, (_, i) => ({
      gatewaySeq: batchIndex * BATCH_CAPACITY + i + 1,
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
    const commitment = BatchCommitment.build(hasher, { gatewayId, readings, bounds });
    return { readings: readings.length, ...(await proveBatch(artifacts, batchCircuitInput(commitment))) };
  };
  const baseline = await fullBatch(gateway.address, 0);
  const calldata = batchProofCalldata(baseline.proof, baseline.publicSignals);
  const verified = await measure(
    `DataAnchor.anchorVerifiedBatch (${baseline.readings} readings)`,
    sendAndWait(anchor, "anchorVerifiedBatch", [calldata.pA, calldata.pB, calldata.pC, calldata.claims]),
  );
  const baselinePerReading = Number(verified) / baseline.readings;

  // k batches of k gateways: each gateway's registry entry is looked up, as for a busy relay.
  const gateways = Array.from({ length: Math.max(0, ...batchCounts) }, () => abiAddress(Wallet.createRandom().address));
  for (const address of gateways) await sendAndWait(registry, "registerGateway", [address]);
  const batches = [];
  for (const [index, address] of gateways.entries()) batches.push(await fullBatch(address, index + 1));
  const aggregated: { k: number; gas: bigint; readings: number }[] = [];
  for (const k of batchCounts) {
    // A fresh deployment each time, so every k anchors the same batches.
    const fresh = await deployEdgeContracts(admin, { anchorer: anchorer.address });
    const freshRegistry = new TypedContract(fresh.registry, gatewayRegistryAbi, admin);
    for (const address of gateways.slice(0, k)) await sendAndWait(freshRegistry, "registerGateway", [address]);
    const chosen = batches.slice(0, k);
    const { proofs, claims } = batchProofsCalldata(chosen);
    const gas = await measure(
      `DataAnchor.anchorVerifiedBatches (k = ${k})`,
      sendAndWait(new TypedContract(fresh.address, dataAnchorAbi, anchorer), "anchorVerifiedBatches", [proofs, claims]),
    );
    aggregated.push({ k, gas, readings: chosen.reduce((sum, batch) => sum + batch.readings, 0) });
  }
  await measure("GatewayRegistry.deactivateDevice", sendAndWait(registry, "deactivateDevice", [deviceId]));
  await measure("GatewayRegistry.deactivateGateway", sendAndWait(registry, "deactivateGateway", [abiAddress(gateway.address)]));

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
    `  on-chain-verified, one batch per transaction (baseline): ${baselinePerReading.toFixed(0)} gas per anchored reading (${verified} gas per full batch of ${baseline.readings}; ${Math.ceil(RELAY_READINGS_PER_SECOND / baseline.readings)} such transactions/s at the reference load)`,
  );
  console.log(
    `  on-chain-verified, k batches per transaction, one batch verification (bound ${VERIFIED_GAS_PER_READING_BOUND} gas per reading):`,
  );
  for (const { k, gas, readings } of aggregated) {
    const perReading = Number(gas) / readings;
    console.log(
      `    k = ${String(k).padStart(2)}: ${perReading.toFixed(0).padStart(4)} gas per reading (${gas} gas per ${readings} readings)` +
        `  ratio to bound ${(perReading / VERIFIED_GAS_PER_READING_BOUND).toFixed(2)}  ${perReading < VERIFIED_GAS_PER_READING_BOUND ? "met" : "missed"}` +
        `  ${(baselinePerReading / perReading).toFixed(1)}x cheaper than the baseline`,
    );
  }
} finally {
  await chain.stop();
  await releaseSnarkThreads();
}

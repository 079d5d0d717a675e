// A receipt verifier written from docs/wire-formats.md ("Batch commitment", "Batch", "Anchor",
// "Receipt") alone, with ethers, poseidon-lite and snarkjs and none of the project's code (the
// batch's EIP-712 type is read out of the docs themselves): it shows the docs are enough for
// anyone to check a receipt. Kept small on purpose.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Interface, getAddress, getBytes, sha256, verifyTypedData, type Provider } from "ethers";
import { poseidon2, poseidon8 } from "poseidon-lite";
import * as snarkjs from "snarkjs";
import { documentedTypedData } from "@intelledger/test-support/documented-typed-data";

/** The receipt's fields this verifier reads (docs/receipt.schema.json). */
export interface DocsReceipt {
  reading: { deviceId: string; frameCounter: string | number; timeUncertain: boolean; anomalous?: boolean } & Record<
    | "gatewaySeq"
    | "channel"
    | "channelIndex"
    | "sampledAtMs"
    | "receivedAtMs"
    | "value"
    | "scale"
    | "receivedBoot"
    | "receivedUptimeMs",
    number
  >;
  batch: Record<string, string | number> & { gatewayId: string; readingsRoot: string; signature: string };
  inclusion: {
    index: number;
    claimsRoot: string;
    disclosure: { groth16: string; publicSignals: string[] };
    stream: { deviceId: string; channel: number; channelIndex: number; scale: number; min: number; max: number };
    streamIndex: number;
    streamSalt: string;
    streamPath: string[];
    codeOffset: number;
    salt: string;
    detailsPath: string[];
    header: Record<"detailsRoot" | "streamsHash" | "gatewayId", string> &
      Record<"windowStartSec" | "windowEndSec" | "readingCount" | "anomalyCount", number>;
  };
  proof?: { groth16: string; publicSignals: string[] };
  anchor: {
    root: string;
    leafIndex: number;
    siblings: string[];
    transactionHash: string;
    blockNumber: number;
    contract: string;
    chainId: number;
  };
}

export class DocsVerifierRefusal extends Error {}

const refuse = (message: string): never => {
  throw new DocsVerifierRefusal(message);
};
const vkey = (circuit: string) =>
  JSON.parse(readFileSync(join(import.meta.dirname, `../../circuits/artifacts/${circuit}.vkey.json`), "utf8")) as object;
const VKEY = vkey("batch-attestation");
const DISCLOSURE_VKEY = vkey("reading-disclosure");
const ANCHOR_ABI = new Interface([
  "function anchorOf(bytes32 root) view returns ((uint64 blockNumber, uint64 timestamp, uint64 batchCount, uint64 readingCount))",
  "event RootAnchored(bytes32 indexed root, uint64 batchCount, uint64 readingCount, address indexed anchorer)",
]);
const BATCH_TYPE = documentedTypedData("Batch");

/** Big-endian bytes of an integer (two's complement for negatives). */
function be(value: bigint | number, bytes: number): Uint8Array {
  const out = new Uint8Array(bytes);
  let v = BigInt.asUintN(bytes * 8, BigInt(value));
  for (let i = bytes - 1; i >= 0; i--, v >>= 8n) out[i] = Number(v & 0xffn);
  return out;
}
const join8 = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((part) => [...part]));
const digestField = (digest: string) => BigInt(digest) & ((1n << 253n) - 1n);
const bitLength = (n: bigint) => (n === 0n ? 0 : n.toString(2).length);

function rangeCode(x: bigint, span: bigint): { code: bigint; width: number } {
  if (x < 0n || x > span) return refuse(`offset ${x} outside 0..${span}`);
  const m = bitLength(span + 1n) - 1;
  const low = 1n << BigInt(m);
  return { code: x < low ? x : (x - (span - (low - 1n))) | low, width: bitLength(span) };
}

/** The root a leaf and its SHA-256 path lead to (0x01 nodes; bit l of the index: the node is the right child). */
const sha256Root = (leaf: string, index: number, path: string[]) =>
  path.reduce(
    (node, sibling, level) =>
      sha256(
        join8(
          Uint8Array.of(1),
          ...((index >> level) & 1 ? [getBytes(sibling), getBytes(node)] : [getBytes(node), getBytes(sibling)]),
        ),
      ),
    leaf,
  );

async function checkReadingInBatch({ reading, inclusion, batch }: DocsReceipt): Promise<void> {
  const { header, index, codeOffset, streamIndex, stream } = inclusion;
  const entry = join8(
    be(BigInt(`0x${Buffer.from(stream.deviceId, "ascii").toString("hex")}`), 32),
    be(stream.channel, 4),
    be(stream.channelIndex, 4),
    be(stream.scale, 4),
    be(stream.min, 8),
    be(stream.max, 8),
  );
  const streamLeaf = sha256(join8(Uint8Array.of(0), entry, getBytes(inclusion.streamSalt)));
  if (digestField(sha256Root(streamLeaf, streamIndex, inclusion.streamPath)) !== BigInt(header.streamsHash))
    refuse("stream path");
  if (
    [stream.deviceId, stream.channel, stream.channelIndex, stream.scale].join() !==
    [reading.deviceId, reading.channel, reading.channelIndex, reading.scale].join()
  )
    refuse("stream of the reading");
  const second = Math.floor(reading.receivedAtMs / 1000);
  const time = rangeCode(BigInt(second - header.windowStartSec), BigInt(header.windowEndSec - header.windowStartSec));
  const value = rangeCode(BigInt(reading.value) - BigInt(stream.min), BigInt(stream.max) - BigInt(stream.min));
  if (index < 0 || index >= header.readingCount) refuse("index");
  const width = time.width + value.width;
  if (codeOffset + width > 5292) refuse("code offset");
  const leaf = sha256(
    join8(
      Uint8Array.of(0),
      be(reading.gatewaySeq, 8),
      be(BigInt(reading.frameCounter), 8),
      be(reading.sampledAtMs, 8),
      be(reading.receivedAtMs, 8),
      be(reading.receivedUptimeMs, 8),
      be(reading.receivedBoot, 4),
      be(streamIndex, 4),
      be(codeOffset, 4),
      Uint8Array.of(reading.timeUncertain ? 1 : 0),
      getBytes(inclusion.salt),
    ),
  );
  if (digestField(sha256Root(leaf, index, inclusion.detailsPath)) !== BigInt(header.detailsRoot)) refuse("details path");
  const root = poseidon8([
    inclusion.claimsRoot,
    header.detailsRoot,
    header.streamsHash,
    header.gatewayId,
    header.windowStartSec,
    header.windowEndSec,
    header.readingCount,
    header.anomalyCount,
  ]);
  if (root !== BigInt(batch.readingsRoot)) refuse("batch root");
  const expected = [
    BigInt(inclusion.claimsRoot),
    index,
    reading.anomalous === true ? 3 : 1,
    codeOffset,
    width,
    time.code | (value.code << BigInt(time.width)),
  ].map(String);
  const { publicSignals, groth16 } = inclusion.disclosure;
  if (publicSignals.join() !== expected.join()) refuse("disclosure's claims");
  if (!(await snarkjs.groth16.verify(DISCLOSURE_VKEY, publicSignals, JSON.parse(groth16) as snarkjs.Groth16Proof)))
    refuse("disclosure proof");
}

/**
 * "verified" when every step of docs/wire-formats.md ("Checking a receipt") holds, "not proven"
 * when all but the proof's do and the receipt has none; a DocsVerifierRefusal otherwise.
 */
export async function verifyFromDocs(receipt: DocsReceipt, provider: Provider): Promise<"verified" | "not proven"> {
  const { batch, anchor } = receipt;
  const { signature, gatewayId, ...fields } = batch;
  const message = { ...fields, gateway: gatewayId };
  if (verifyTypedData({ name: "IntelLedger Edge", version: "1" }, BATCH_TYPE, message, signature) !== getAddress(gatewayId))
    refuse("batch signature");
  await checkReadingInBatch(receipt);
  const folded = anchor.siblings.reduce(
    (node, sibling, level) => ((anchor.leafIndex >> level) & 1 ? poseidon2([sibling, node]) : poseidon2([node, sibling])),
    BigInt(batch.readingsRoot),
  );
  if (anchor.leafIndex >= 2 ** anchor.siblings.length || folded !== BigInt(anchor.root)) refuse("anchor path");
  if (receipt.proof) {
    const { publicSignals, groth16 } = receipt.proof;
    if (publicSignals[0] !== BigInt(batch.readingsRoot).toString() || publicSignals[1] !== BigInt(gatewayId).toString())
      refuse("proof's batch");
    if (!(await snarkjs.groth16.verify(VKEY, publicSignals, JSON.parse(groth16) as snarkjs.Groth16Proof))) refuse("proof");
  }
  if ((await provider.getNetwork()).chainId !== BigInt(anchor.chainId)) refuse("chain");
  const record = await provider
    .call({ to: anchor.contract, data: ANCHOR_ABI.encodeFunctionData("anchorOf", [anchor.root]) })
    .then((call) => (ANCHOR_ABI.decodeFunctionResult("anchorOf", call) as unknown as [{ blockNumber: bigint }])[0])
    .catch((error: unknown) => refuse(`anchor contract: ${(error as Error).message}`));
  if (record.blockNumber !== BigInt(anchor.blockNumber)) refuse("root not anchored in that block");
  const transaction = await provider.getTransactionReceipt(anchor.transactionHash);
  const emitted = transaction?.logs.some(
    (log) =>
      getAddress(log.address) === getAddress(anchor.contract) &&
      log.topics[0] === ANCHOR_ABI.getEvent("RootAnchored")?.topicHash &&
      log.topics[1]?.toLowerCase() === anchor.root.toLowerCase(),
  );
  if (transaction?.status !== 1 || transaction.blockNumber !== anchor.blockNumber || !emitted) refuse("transaction");
  return receipt.proof ? "verified" : "not proven";
}

import { bytes32ToField, fieldToBytes32, PoseidonMerkleTree, type PoseidonHasher } from "@intelledger/circuits";
import { dataAnchorAbi, decodeDataAnchorRevert } from "@intelledger/contracts";
import { Contract, hexlify, type ContractTransactionResponse, type EventLog, type Signer } from "ethers";
import type { Logger } from "pino";
import type { AnchorLedger, AnchorRecord } from "../store/anchor-ledger.js";

export interface AnchorServiceOptions {
  anchors: AnchorLedger;
  hasher: PoseidonHasher;
  signer: Signer;
  contractAddress: string;
  confirmations: number;
  intervalMs: number;
  maxBatchesPerAnchor: number;
  logger: Logger;
}

/**
 * Every interval, folds the readings roots of all batches stored since the last anchor
 * into one Poseidon root and anchors it with one transaction. An anchor is recorded as
 * pending before its transaction goes out; an unsettled anchor is always finished,
 * by looking it up on chain first, before a new one starts, so no root goes out twice.
 */
export class AnchorService {
  private readonly options: AnchorServiceOptions;
  private readonly contract: Contract;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(options: AnchorServiceOptions) {
    this.options = options;
    this.contract = new Contract(options.contractAddress, dataAnchorAbi, options.signer);
  }

  start(): void {
    const tick = () => {
      this.running = this.anchorOnce().then(
        () => undefined,
        (error: unknown) => this.options.logger.warn({ err: error }, "anchoring attempt failed; retrying next interval"),
      );
      void this.running.then(() => {
        if (!this.stopped) this.timer = setTimeout(tick, this.options.intervalMs);
      });
    };
    this.timer = setTimeout(tick, this.options.intervalMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Settles an unfinished anchor, or anchors what is new; returns the anchor it dealt with. */
  async anchorOnce(): Promise<AnchorRecord | undefined> {
    const { anchors, hasher, maxBatchesPerAnchor } = this.options;
    const unsettled = anchors.unsettled();
    if (unsettled) return this.settle(unsettled);
    const batches = anchors.unanchored(maxBatchesPerAnchor);
    if (batches.length === 0) return undefined;
    const tree = PoseidonMerkleTree.build(
      hasher,
      batches.map((batch) => bytes32ToField(batch.readingsRoot)),
    );
    return this.settle(anchors.createPending(fieldToBytes32(tree.root), batches, Date.now()));
  }

  private async settle(anchor: AnchorRecord): Promise<AnchorRecord> {
    const onChain = await this.findOnChain(anchor.root);
    if (onChain) return this.confirm(anchor, onChain);
    let transaction: ContractTransactionResponse;
    try {
      transaction = (await this.contract.getFunction("anchor")(
        hexlify(anchor.root),
        anchor.batchCount,
        anchor.readingCount,
      )) as ContractTransactionResponse;
    } catch (error) {
      // Another transaction of ours got there first (sent before a crash, mined since).
      if (decodeDataAnchorRevert(error)?.name === "AlreadyAnchored") return this.settle(anchor);
      throw error;
    }
    this.options.anchors.markSubmitted(anchor.id, transaction.hash);
    const receipt = await transaction.wait(this.options.confirmations);
    if (!receipt) throw new Error(`anchor transaction ${transaction.hash} vanished`);
    return this.confirm(anchor, { txHash: receipt.hash, blockNumber: receipt.blockNumber });
  }

  private confirm(anchor: AnchorRecord, onChain: { txHash: string; blockNumber: number }): AnchorRecord {
    this.options.anchors.markConfirmed(anchor.id, onChain.txHash, onChain.blockNumber, Date.now());
    this.options.logger.info(
      { root: hexlify(anchor.root), batches: anchor.batchCount, readings: anchor.readingCount, ...onChain },
      "root anchored",
    );
    return this.options.anchors.byId(anchor.id) as AnchorRecord;
  }

  /** The transaction that anchored `root`, if it is on chain: looked up by the contract's record, then its event. */
  private async findOnChain(root: Uint8Array): Promise<{ txHash: string; blockNumber: number } | undefined> {
    const record = (await this.contract.getFunction("anchorOf")(hexlify(root))) as { blockNumber: bigint };
    const blockNumber = Number(record.blockNumber);
    if (blockNumber === 0) return undefined;
    const filter = this.contract.filters.RootAnchored?.(hexlify(root));
    if (!filter) throw new Error("the DataAnchor ABI lacks the RootAnchored event");
    const [event] = (await this.contract.queryFilter(filter, blockNumber, blockNumber)) as EventLog[];
    if (!event) throw new Error(`root ${hexlify(root)} is anchored in block ${blockNumber} but its event is missing`);
    return { txHash: event.transactionHash, blockNumber };
  }
}

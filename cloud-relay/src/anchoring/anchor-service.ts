import { bytes32ToField, fieldToBytes32, PoseidonMerkleTree, type PoseidonHasher } from "@intelledger/circuits";
import { abiHex, dataAnchorAbi, decodeDataAnchorRevert, TypedContract } from "@intelledger/contracts";
import { hexlify, type ContractTransactionResponse, type Overrides, type Provider, type Wallet } from "ethers";
import type { Logger } from "pino";
import { RelayError } from "../errors.js";
import type { AnchorLeadership } from "../store/anchor-leadership.js";
import type { AnchorLedger, AnchorRecord } from "../store/anchor-ledger.js";
import type { UploadTracing } from "../telemetry/upload-tracing.js";

export interface AnchorServiceOptions {
  anchors: AnchorLedger;
  /** Whether this replica anchors now; a follower claims the lead every `leaderPollMs`. */
  leadership: AnchorLeadership;
  leaderPollMs: number;
  hasher: PoseidonHasher;
  /** The anchorer's key, connected to the chain. */
  signer: Wallet;
  contractAddress: string;
  /** Blocks on top of (and including) the anchor's before it counts as confirmed. */
  confirmations: number;
  intervalMs: number;
  /** How often an anchor's transaction is checked between intervals, until it is confirmed. */
  receiptPollMs: number;
  maxBatchesPerAnchor: number;
  /** A transaction still unmined after this long is sent again, same nonce, higher fees. */
  replaceAfterMs: number;
  /** Confirmed anchors this close to the head are checked again in case a reorganisation undid them. */
  reorgDepth: number;
  logger: Logger;
  /** Told of each anchor created and confirmed, when tracing is on. */
  tracing?: Pick<UploadTracing, "anchorCreated" | "anchorConfirmed">;
}

interface OnChain {
  hash: string;
  nonce: number;
}

/** Fee bump for a replacement: nodes require at least 10% over the transaction replaced. */
const REPLACEMENT_FEE_FACTOR = 125n;

/**
 * Every interval, folds the readings roots of all batches stored since the last anchor
 * into one Poseidon root and anchors it with one transaction. An anchor is recorded
 * before its transaction goes out and then followed until enough blocks confirm it:
 * a transaction that was dropped is sent again, one stuck is replaced with higher fees,
 * one a reorganisation undid is found missing and sent again. The contract refuses a
 * root twice, and the relay always checks the chain before sending, so every root ends
 * up anchored exactly once. Of several replicas only the leader anchors; one that takes the
 * lead first settles what its predecessor left unsettled, checking the chain, before it
 * starts a new anchor.
 */
export class AnchorService {
  private readonly options: AnchorServiceOptions;
  private readonly dataAnchor: TypedContract<typeof dataAnchorAbi>;
  private readonly provider: Provider;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private stopped = false;
  private nextAnchorAtMs = 0;
  private term: number | undefined;

  constructor(options: AnchorServiceOptions) {
    this.options = options;
    this.dataAnchor = new TypedContract(options.contractAddress, dataAnchorAbi, options.signer);
    if (!options.signer.provider) throw new RelayError("invalid_argument", "the anchorer's key must be connected to a chain");
    this.provider = options.signer.provider;
  }

  /**
   * Runs a round every interval; in between, follows a sent transaction every receiptPollMs,
   * so an anchor counts as confirmed as soon as the chain confirms it, not an interval later.
   */
  start(): void {
    const { logger } = this.options;
    const tick = () => {
      const now = Date.now();
      const roundDue = now >= this.nextAnchorAtMs;
      if (roundDue) this.nextAnchorAtMs = now + this.options.intervalMs;
      this.running = (roundDue ? this.anchorOnce() : this.followUp()).catch((error: unknown) =>
        logger.warn({ err: error }, "anchoring attempt failed; retrying next interval"),
      );
      void this.running.then(async () => {
        const delay = await this.untilNextTick().catch(() => this.options.receiptPollMs);
        if (!this.stopped) this.timer = setTimeout(tick, delay);
      });
    };
    this.nextAnchorAtMs = Date.now() + this.options.intervalMs;
    this.timer = setTimeout(tick, Math.min(this.options.intervalMs, this.options.leaderPollMs));
  }

  /** The term this replica anchors under now, if it leads. */
  get leaderTerm(): number | undefined {
    return this.term;
  }

  /** Following, the next claim; leading, the next round, or sooner to follow a sent transaction. */
  private async untilNextTick(): Promise<number> {
    const { receiptPollMs, leaderPollMs, anchors } = this.options;
    if (this.term === undefined) return leaderPollMs;
    const untilRound = Math.max(0, this.nextAnchorAtMs - Date.now());
    return (await anchors.unsettled()).length > 0 ? Math.min(receiptPollMs, untilRound) : untilRound;
  }

  /** Claims the lead; a replica that just took it starts a round at once, settling what it inherited. */
  private async lead(): Promise<number | undefined> {
    const { leadership, logger } = this.options;
    let term: number | undefined;
    try {
      term = await leadership.claim();
    } finally {
      if (term !== this.term) {
        if (term !== undefined) logger.info({ term }, "leading anchoring");
        else if (this.term !== undefined) logger.warn({ term: this.term }, "no longer leading anchoring");
        this.term = term;
      }
    }
    return term;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** One round: look for undone anchors, move unfinished ones along, start a new one when none is left. */
  async anchorOnce(): Promise<void> {
    const { anchors } = this.options;
    const term = await this.lead();
    if (term === undefined) return;
    await this.reopenReorganised(term);
    for (const anchor of await anchors.unsettled()) await this.advance(anchor, term);
    if ((await anchors.unsettled()).length > 0) return;
    const fresh = await this.createAnchor(term);
    if (fresh) await this.advance(fresh, term);
  }

  /** Moves sent anchors along (confirmed, dropped, stuck) without starting a new one; a replica that just took the lead runs a full round. */
  private async followUp(): Promise<void> {
    const wasLeading = this.term !== undefined;
    const term = await this.lead();
    if (term === undefined) return;
    if (!wasLeading) {
      await this.anchorOnce();
      return;
    }
    for (const anchor of await this.options.anchors.unsettled()) if (anchor.txHash) await this.advance(anchor, term);
  }

  private async createAnchor(term: number): Promise<AnchorRecord | undefined> {
    const { anchors, hasher, maxBatchesPerAnchor } = this.options;
    const batches = await anchors.unanchored(maxBatchesPerAnchor);
    if (batches.length === 0) return undefined;
    const tree = PoseidonMerkleTree.build(
      hasher,
      batches.map((batch) => bytes32ToField(batch.readingsRoot)),
    );
    const anchor = await anchors.createPending(fieldToBytes32(tree.root), batches, Date.now(), term);
    this.options.tracing?.anchorCreated(anchor.id, batches, term);
    return anchor;
  }

  private async advance(anchor: AnchorRecord, term: number): Promise<void> {
    if (!anchor.txHash || anchor.txNonce === undefined) {
      // Created but maybe sent before a crash: the chain says whether it is there.
      const onChain = await this.findOnChain(anchor.root);
      if (onChain) await this.adopt(anchor, onChain, term);
      else await this.send(anchor, term);
      return;
    }
    const receipt = await this.provider.getTransactionReceipt(anchor.txHash);
    if (receipt?.status === 1) {
      const head = await this.provider.getBlockNumber();
      if (head - receipt.blockNumber + 1 >= this.options.confirmations) {
        await this.options.anchors.markConfirmed(
          anchor.id,
          { number: receipt.blockNumber, hash: receipt.blockHash },
          Date.now(),
          term,
        );
        this.options.tracing?.anchorConfirmed(anchor.id, { txHash: anchor.txHash, blockNumber: receipt.blockNumber });
        this.options.logger.info(
          {
            root: hexlify(anchor.root),
            batches: anchor.batchCount,
            readings: anchor.readingCount,
            txHash: anchor.txHash,
            block: receipt.blockNumber,
          },
          "root anchored",
        );
      }
      return;
    }
    const pending = receipt ? null : await this.provider.getTransaction(anchor.txHash);
    if (pending) {
      if (Date.now() - (anchor.submittedAtMs ?? 0) > this.options.replaceAfterMs) await this.send(anchor, term, pending);
      return;
    }
    // Reverted, dropped, or gone with a reorganised block: anchored some other way, or not at all.
    const onChain = await this.findOnChain(anchor.root);
    if (onChain && onChain.hash !== anchor.txHash) await this.adopt(anchor, onChain, term);
    else if (!onChain) {
      this.options.logger.warn(
        { root: hexlify(anchor.root), txHash: anchor.txHash, reverted: receipt !== null },
        "anchor transaction lost; sending again",
      );
      await this.send(anchor, term);
    }
  }

  private async adopt(anchor: AnchorRecord, onChain: OnChain, term: number): Promise<void> {
    await this.options.anchors.markSubmitted(anchor.id, onChain, Date.now(), term);
  }

  /** Sends the anchoring transaction; given the one it replaces, reuses its nonce with higher fees. */
  private async send(
    anchor: AnchorRecord,
    term: number,
    replacing?: { nonce: number; gasLimit: bigint; maxFeePerGas: bigint | null; maxPriorityFeePerGas: bigint | null },
  ): Promise<void> {
    const overrides: Overrides = {};
    if (replacing) {
      // Gas is not estimated again: against the pending state, which holds the transaction
      // being replaced, the estimate would fail with AlreadyAnchored.
      overrides.nonce = replacing.nonce;
      overrides.gasLimit = replacing.gasLimit;
      if (replacing.maxFeePerGas !== null) overrides.maxFeePerGas = (replacing.maxFeePerGas * REPLACEMENT_FEE_FACTOR) / 100n;
      if (replacing.maxPriorityFeePerGas !== null) {
        overrides.maxPriorityFeePerGas = (replacing.maxPriorityFeePerGas * REPLACEMENT_FEE_FACTOR) / 100n;
      }
    }
    let transaction: ContractTransactionResponse;
    try {
      transaction = await this.dataAnchor.send(
        "anchor",
        [abiHex(anchor.root), BigInt(anchor.batchCount), BigInt(anchor.readingCount)],
        overrides,
      );
    } catch (error) {
      // Already there: a transaction of ours sent before got mined; adopt it.
      if (decodeDataAnchorRevert(error)?.name !== "AlreadyAnchored") throw error;
      const onChain = await this.findOnChain(anchor.root);
      if (onChain) await this.adopt(anchor, onChain, term);
      return;
    }
    await this.options.anchors.markSubmitted(anchor.id, { hash: transaction.hash, nonce: transaction.nonce }, Date.now(), term);
    if (replacing)
      this.options.logger.warn({ root: hexlify(anchor.root), txHash: transaction.hash }, "stuck anchor transaction replaced");
  }

  /** Confirmed anchors whose block is no longer on the chain go back to being followed. */
  private async reopenReorganised(term: number): Promise<void> {
    const { anchors, reorgDepth, logger } = this.options;
    const head = await this.provider.getBlockNumber();
    for (const anchor of await anchors.confirmedSince(head - reorgDepth)) {
      const block = anchor.blockNumber === undefined ? null : await this.provider.getBlock(anchor.blockNumber);
      if (block?.hash === anchor.blockHash || !anchor.txHash || anchor.txNonce === undefined) continue;
      logger.warn(
        { root: hexlify(anchor.root), block: anchor.blockNumber },
        "anchor's block was reorganised away; following it again",
      );
      await anchors.markSubmitted(
        anchor.id,
        { hash: anchor.txHash, nonce: anchor.txNonce },
        anchor.submittedAtMs ?? Date.now(),
        term,
      );
    }
  }

  /** The transaction that anchored `root`, if it is on chain: looked up by the contract's record, then its event. */
  private async findOnChain(root: Uint8Array): Promise<OnChain | undefined> {
    const rootHex = abiHex(root);
    const [record] = await this.dataAnchor.read("anchorOf", [rootHex]);
    const blockNumber = Number(record.blockNumber);
    if (blockNumber === 0) return undefined;
    const [event] = await this.dataAnchor.events("RootAnchored", [rootHex], blockNumber, blockNumber);
    if (!event) {
      throw new RelayError(
        "unavailable",
        `root ${rootHex} is anchored in block ${blockNumber} but the chain returns no event for it`,
        {
          blockNumber,
        },
      );
    }
    const transaction = await this.provider.getTransaction(event.transactionHash);
    return { hash: event.transactionHash, nonce: transaction?.nonce ?? 0 };
  }
}

import { bytes32ToField, fieldToBytes32, PoseidonMerkleTree, type PoseidonHasher } from "@intelledger/circuits";
import { abiHex, dataAnchorAbi, decodeDataAnchorRevert, TypedContract } from "@intelledger/contracts";
import { hexlify, type ContractTransactionResponse, type Overrides, type Provider, type Wallet } from "ethers";
import type { Logger } from "pino";
import { RelayError } from "../errors.js";
import type { AnchorLeadership } from "../store/anchor-leadership.js";
import type { AnchorLedger, AnchorRecord, UnanchoredBatch } from "../store/anchor-ledger.js";
import type { UploadTracing } from "../telemetry/upload-tracing.js";
import type { VerifiedAnchoring } from "./verified-anchoring.js";

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
  /** Given, batches with verified proofs are anchored with their proofs checked on chain, several per transaction. */
  verified?: VerifiedAnchoring;
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
 *
 * With on-chain verification, each batch whose proof verified becomes an anchor of its own
 * (its root is the one-leaf tree's), and up to `batchesPerTransaction` of them go out in one
 * `anchorVerifiedBatches` transaction; anchors sent together are followed, replaced and sent
 * again together. Batches whose proof failed or did not come in time fold into one root as above.
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
    for (const group of this.groups(await anchors.unsettled())) await this.advance(group, term);
    if ((await anchors.unsettled()).length > 0) return;
    for (const group of await this.createAnchors(term)) await this.advance(group, term);
  }

  /**
   * Anchors that go out in one transaction: those sent together (one transaction hash); of those
   * not sent yet, one-batch anchors in groups of `batchesPerTransaction` when verifying on chain,
   * every other one alone.
   */
  private groups(anchors: readonly AnchorRecord[]): AnchorRecord[][] {
    const sent = new Map<string, AnchorRecord[]>();
    const single: AnchorRecord[][] = [];
    const unsent: AnchorRecord[] = [];
    for (const anchor of anchors) {
      if (anchor.txHash) sent.set(anchor.txHash, [...(sent.get(anchor.txHash) ?? []), anchor]);
      else if (this.options.verified && anchor.batchCount === 1) unsent.push(anchor);
      else single.push([anchor]);
    }
    const size = this.options.verified?.options.batchesPerTransaction ?? 1;
    const chunks = Array.from({ length: Math.ceil(unsent.length / size) }, (_, i) => unsent.slice(i * size, (i + 1) * size));
    return [...sent.values(), ...single, ...chunks];
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
    const sent = (await this.options.anchors.unsettled()).filter((anchor) => anchor.txHash);
    for (const group of this.groups(sent)) await this.advance(group, term);
  }

  /**
   * The anchors of a new round, grouped by transaction: one root over the batches, or with
   * on-chain verification one anchor per proven batch, `batchesPerTransaction` to a transaction.
   */
  private async createAnchors(term: number): Promise<AnchorRecord[][]> {
    const { anchors, maxBatchesPerAnchor, verified } = this.options;
    const batches = await anchors.unanchored(maxBatchesPerAnchor);
    if (batches.length === 0) return [];
    const plan = verified ? await verified.plan(batches, Date.now()) : { verified: [], rootOnly: batches };
    const groups: AnchorRecord[][] = plan.rootOnly.length > 0 ? [[await this.createAnchor(plan.rootOnly, term)]] : [];
    const size = verified?.options.batchesPerTransaction ?? 1;
    for (let start = 0; start < plan.verified.length; start += size) {
      const group: AnchorRecord[] = [];
      for (const batch of plan.verified.slice(start, start + size)) group.push(await this.createAnchor([batch], term));
      groups.push(group);
    }
    return groups;
  }

  private async createAnchor(batches: readonly UnanchoredBatch[], term: number): Promise<AnchorRecord> {
    const tree = PoseidonMerkleTree.build(
      this.options.hasher,
      batches.map((batch) => bytes32ToField(batch.readingsRoot)),
    );
    const leaves = batches.map((batch, index) => ({ ...batch, siblings: tree.path(index).siblings.map(fieldToBytes32) }));
    const anchor = await this.options.anchors.createPending(fieldToBytes32(tree.root), leaves, Date.now(), term);
    this.options.tracing?.anchorCreated(anchor.id, batches, term);
    return anchor;
  }

  /** Moves anchors sent (or to be sent) in one transaction along. */
  private async advance(group: readonly AnchorRecord[], term: number): Promise<void> {
    const [first] = group;
    if (!first) return;
    if (!first.txHash || first.txNonce === undefined) {
      // Created but maybe sent before a crash: the chain says whether they are there.
      const missing = await this.adoptAnchored(group, term);
      if (missing.length > 0) await this.send(missing, term);
      return;
    }
    const receipt = await this.provider.getTransactionReceipt(first.txHash);
    if (receipt?.status === 1) {
      const head = await this.provider.getBlockNumber();
      if (head - receipt.blockNumber + 1 >= this.options.confirmations) {
        for (const anchor of group) {
          await this.options.anchors.markConfirmed(
            anchor.id,
            { number: receipt.blockNumber, hash: receipt.blockHash },
            Date.now(),
            term,
          );
          this.options.tracing?.anchorConfirmed(anchor.id, { txHash: first.txHash, blockNumber: receipt.blockNumber });
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
      }
      return;
    }
    const pending = receipt ? null : await this.provider.getTransaction(first.txHash);
    if (pending) {
      if (Date.now() - (first.submittedAtMs ?? 0) > this.options.replaceAfterMs) await this.send(group, term, pending);
      return;
    }
    // Reverted, dropped, or gone with a reorganised block: anchored some other way, or not at all.
    const missing = await this.adoptAnchored(group, term);
    if (missing.length > 0) {
      this.options.logger.warn(
        { roots: missing.map((anchor) => hexlify(anchor.root)), txHash: first.txHash, reverted: receipt !== null },
        "anchor transaction lost; sending again",
      );
      await this.send(missing, term);
    }
  }

  /** Adopts the transactions that anchored any of `group` otherwise; returns those the chain does not hold. */
  private async adoptAnchored(group: readonly AnchorRecord[], term: number): Promise<AnchorRecord[]> {
    const missing: AnchorRecord[] = [];
    for (const anchor of group) {
      const onChain = await this.findOnChain(anchor.root);
      if (!onChain) missing.push(anchor);
      else if (onChain.hash !== anchor.txHash) await this.adopt(anchor, onChain, term);
    }
    return missing;
  }

  private async adopt(anchor: AnchorRecord, onChain: OnChain, term: number): Promise<void> {
    await this.options.anchors.markSubmitted(anchor.id, onChain, Date.now(), term);
  }

  /**
   * Sends the transaction anchoring `group`: with their proofs checked on chain when each is a
   * proven batch of its own (unless `withProofs` is false), root-only when it is one anchor;
   * otherwise each goes alone. Given the transaction it replaces, reuses its nonce with higher fees.
   */
  private async send(
    group: readonly AnchorRecord[],
    term: number,
    replacing?: { nonce: number; gasLimit: bigint; maxFeePerGas: bigint | null; maxPriorityFeePerGas: bigint | null },
    withProofs = true,
  ): Promise<void> {
    const [first] = group;
    if (!first) return;
    const calldata = withProofs ? await this.options.verified?.calldata(group) : undefined;
    if (!calldata && group.length > 1) {
      for (const anchor of group) await this.send([anchor], term, undefined, withProofs);
      return;
    }
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
      transaction = calldata
        ? await this.dataAnchor.send("anchorVerifiedBatches", [calldata.proofs, calldata.claims], overrides)
        : await this.dataAnchor.send(
            "anchor",
            [abiHex(first.root), BigInt(first.batchCount), BigInt(first.readingCount)],
            overrides,
          );
    } catch (error) {
      const revert = decodeDataAnchorRevert(error);
      // Already there: a transaction of ours sent before got mined; adopt it (the others of the
      // group go next round).
      if (revert?.name === "AlreadyAnchored") {
        const anchored = group.find((anchor) => abiHex(anchor.root) === String(revert.args[0]).toLowerCase());
        const onChain = anchored && (await this.findOnChain(anchored.root));
        if (anchored && onChain) await this.adopt(anchored, onChain, term);
        return;
      }
      // The chain refuses proofs the relay verified (its verifier is of another circuit version):
      // the batches are anchored root-only rather than not at all.
      if (revert?.name === "InvalidBatchProofs" && calldata) {
        this.options.logger.warn(
          { roots: group.map((anchor) => hexlify(anchor.root)) },
          "the chain refuses the batch proofs; anchoring the roots without them",
        );
        for (const anchor of group) await this.send([anchor], term, undefined, false);
        return;
      }
      throw error;
    }
    for (const anchor of group) {
      await this.options.anchors.markSubmitted(anchor.id, { hash: transaction.hash, nonce: transaction.nonce }, Date.now(), term);
    }
    if (replacing)
      this.options.logger.warn(
        { roots: group.map((anchor) => hexlify(anchor.root)), txHash: transaction.hash },
        "stuck anchor transaction replaced",
      );
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

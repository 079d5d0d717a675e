import type { AnchoredBatch } from "@intelledger/proto/relay";
import { z } from "zod";
import { BatchListing } from "../batch/batch-listing.js";
import { BATCH_STATES } from "../batch/batch-state.js";
import type { GatewayConfig } from "../config.js";
import { checkReceipt, requireChain } from "../receipts/receipt-check.js";
import { fetchReceipt } from "../receipts/relay-receipts.js";
import type { SqliteDatabase } from "../store/gateway-database.js";
import type { ApiRoutes, RouteGroup } from "./api-routes.js";
import { anchorView, batchView, receiptCheckView } from "./api-views.js";

/** A batch with the outbox's state by name. */
const batch = batchView.extend({ state: z.enum(BATCH_STATES) });

const gatewaySeq = z.strictObject({ gatewaySeq: z.coerce.number().int().min(1) });

/** /api/batches and /api/receipts: the batches on their way to the chain, and a reading's receipt checked link by link. */
export function proofRoutes(
  api: ApiRoutes,
  deps: {
    db: SqliteDatabase;
    gatewayId: string;
    config: () => Pick<GatewayConfig, "relay" | "chain">;
    lastAnchored: () => AnchoredBatch | undefined;
  },
): RouteGroup {
  const listing = new BatchListing(deps.db);
  const routes = api.under("/api");

  routes.add({
    method: "get",
    path: "/batches",
    summary: "Sealed batches, newest first, with their proof and how far they are on their way to the chain",
    description:
      "stage: sealed, proved (its zero-knowledge proof made), acknowledged (the relay stored it), anchored (in an anchor the " +
      "relay confirmed on chain; the relay anchors a gateway's batches in order, so every acknowledged batch up to the newest " +
      "anchored one is). anchor names the transaction for the newest anchored batch; a reading's receipt names it for any. " +
      "beforeSequence pages back. receipts says whether receipts can be fetched (the gateway has a relay) and the chain's RPC URL (chain.rpcUrl).",
    access: "viewer",
    query: z.strictObject({
      limit: z.coerce.number().int().min(1).max(500).default(50),
      beforeSequence: z.coerce.number().int().min(1).optional(),
    }),
    response: z.object({
      batches: z.array(batch),
      lastAnchored: anchorView.extend({ sequence: z.number() }).optional(),
      receipts: z.object({ fromRelay: z.boolean(), rpcUrl: z.string().optional() }),
    }),
    handle: ({ query }) => {
      const lastAnchored = deps.lastAnchored();
      const { relay, chain } = deps.config();
      return {
        batches: listing.list(query, lastAnchored),
        ...(lastAnchored && { lastAnchored }),
        receipts: { fromRelay: relay !== undefined, ...(chain && { rpcUrl: chain.rpcUrl }) },
      };
    },
  });

  routes.add({
    method: "get",
    path: "/receipts/:gatewaySeq",
    summary: "A reading's receipt, fetched from the gateway's relay: the JSON a verifier checks against the chain",
    description:
      "The receipt as the relay builds it (docs/wire-formats.md, Receipt). 404 while the reading's batch is not anchored; " +
      "409 when the gateway has no relay (not enrolled); 502 when the relay does not answer or refuses the gateway.",
    access: "viewer",
    params: gatewaySeq,
    response: z.record(z.string(), z.unknown()),
    handle: ({ params }) => fetchReceipt(deps.config().relay, deps.gatewayId, params.gatewaySeq),
  });

  routes.add({
    method: "post",
    path: "/receipts/:gatewaySeq/verify",
    summary: "Fetches a reading's receipt and checks it against the chain, answering each link of its evidence",
    description:
      "Trusts the published deployment of chain.deploymentFile and checks at chain.rpcUrl, or at rpcUrl when given. Each link " +
      "is ok, failed (with why) or not_checked (after a failure, or the batch's proof when the receipt carries none). " +
      "verdict: verified, not_proven (every link but the proof) or failed. 409 when chain is not configured.",
    access: "technician",
    params: gatewaySeq,
    body: z.strictObject({
      rpcUrl: z
        .string()
        .url("must be a URL such as http://127.0.0.1:8545")
        .refine((url) => /^https?:\/\//.test(url), "must start with http:// or https://")
        .optional(),
    }),
    response: z.object({ receipt: z.record(z.string(), z.unknown()), check: receiptCheckView }),
    handle: async ({ params, body }) => {
      const { relay, chain } = deps.config();
      requireChain(chain);
      const receipt = await fetchReceipt(relay, deps.gatewayId, params.gatewaySeq);
      return { receipt, check: await checkReceipt(receipt, chain, body.rpcUrl) };
    },
  });

  return routes;
}

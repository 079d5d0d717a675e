// What the `relay gateways` and `relay anchors` commands print: read from the relay's
// database, so they work whether a replica is running or not.
import { hexlify } from "ethers";
import type { RelayStore } from "./store/relay-store.js";

/** Every gateway the relay knows, with its state, last batch, backlog and unanchored batches. */
export async function listGateways(store: RelayStore, nowMs: number): Promise<unknown> {
  return { gateways: await store.fleet.list(nowMs) };
}

/** One gateway, or undefined when the relay does not know it. */
export async function showGateway(store: RelayStore, gatewayId: string, nowMs: number): Promise<unknown> {
  return store.fleet.show(gatewayId, nowMs);
}

/** What `relay anchors` prints and GET /v1/anchors answers (the anchors' roots as hex). */
export type AnchoringStatus = Awaited<ReturnType<typeof anchorStatus>>;

/** Who anchors, what waits to be anchored, and the latest anchors. */
export async function anchorStatus(store: Pick<RelayStore, "anchors">, latest: number) {
  const [leader, totals, recent] = await Promise.all([
    store.anchors.leader(),
    store.anchors.totals(),
    store.anchors.recent(latest),
  ]);
  return {
    leader,
    ...totals,
    latest: recent.map((anchor) => ({ ...anchor, root: hexlify(anchor.root) })),
  };
}

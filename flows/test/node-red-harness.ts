import { createRequire } from "node:module";
import type { Node } from "@node-red/registry";
import helper from "node-red-node-test-helper";
import gatewayConfig from "../nodes/gateway-config.js";
import { FakeGateway } from "./fake-gateway.js";

helper.init(createRequire(import.meta.url).resolve("node-red"));

export const GATEWAY_NODE = "gateway";

type FlowNode = { id: string; type: string; [property: string]: unknown };

/**
 * Loads nodes and a flow into Node-RED's test runtime, with the gateway config node
 * (id GATEWAY_NODE) and, unless left out, a fake gateway behind it.
 */
export async function loadFlow(nodes: ((RED: never) => unknown)[], flow: FlowNode[], gateway?: FakeGateway): Promise<void> {
  helper.settings(gateway ? { intelledgerGateway: gateway } : {});
  await helper.load([gatewayConfig, ...nodes], [{ id: GATEWAY_NODE, type: "intelledger-gateway", name: "test" }, ...flow]);
}

/**
 * A flow around one node under test: `id` of `type` on the gateway config node, wired to the
 * helper node "out" unless `output` is false, and with its errors caught into the helper node
 * "caught" when `catchErrors` is set.
 */
export function flowAround(
  id: string,
  type: string,
  settings: Record<string, unknown>,
  { output = true, catchErrors = false }: { output?: boolean; catchErrors?: boolean } = {},
): FlowNode[] {
  const flow: FlowNode[] = [{ id, type, gateway: GATEWAY_NODE, ...(output && { wires: [["out"]] }), ...settings }];
  if (output) flow.push({ id: "out", type: "helper" });
  if (catchErrors) flow.push({ id: "errors", type: "catch", scope: [id], wires: [["caught"]] }, { id: "caught", type: "helper" });
  return flow;
}

/** A node under test, loaded: its fake gateway, and what "out" and "caught" have received since. */
export interface LoadedNode {
  gateway: FakeGateway;
  out: Record<string, unknown>[];
  caught: Record<string, unknown>[];
}

/** Loads one node's module and a flow around it (see `flowAround`) on `gateway`. */
export async function loadNode(
  module: (RED: never) => unknown,
  flow: FlowNode[],
  gateway = new FakeGateway(),
): Promise<LoadedNode> {
  await loadFlow([module], flow, gateway);
  const collected = (id: string) => (flow.some((wired) => wired.id === id) ? collect(id) : []);
  return { gateway, out: collected("out"), caught: collected("caught") };
}

export function unloadFlow(): Promise<void> {
  return helper.unload();
}

export function node(id: string): Node {
  const found = helper.getNode(id);
  if (!found) throw new Error(`no node ${id} in the flow`);
  return found;
}

/** Messages arriving at a helper node, collected from now on. */
export function collect(id: string): Record<string, unknown>[] {
  const received: Record<string, unknown>[] = [];
  node(id).on("input", (msg: Record<string, unknown>) => received.push(msg));
  return received;
}

interface NodeStatusShown {
  fill?: string;
  shape?: string;
  text?: string;
}

/** Every `status(...)` a node has shown so far (the helper spies on Node's methods). */
export function statuses(id: string): NodeStatusShown[] {
  const target = node(id) as unknown as { status: { getCalls(): { thisValue: unknown; args: [NodeStatusShown] }[] } };
  return target.status
    .getCalls()
    .filter((call) => call.thisValue === target)
    .map((call) => call.args[0]);
}

export async function until(condition: () => boolean, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

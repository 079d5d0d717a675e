import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

export type FlowNode = { id: string; type: string; [property: string]: unknown };

const EXAMPLES_DIR = join(
  dirname(createRequire(import.meta.url).resolve("node-red-contrib-intelledger/package.json")),
  "examples",
);

/** The named example flows that ship in flows/examples, as one flow (their shared config node once). */
export function exampleFlows(...names: string[]): FlowNode[] {
  const nodes = new Map<string, FlowNode>();
  for (const name of names) {
    for (const node of JSON.parse(readFileSync(join(EXAMPLES_DIR, `${name}.json`), "utf8")) as FlowNode[]) {
      nodes.set(node.id, node);
    }
  }
  return [...nodes.values()];
}

/** A flow tab and its nodes, each placed on it. */
export function flowTab(id: string, label: string, nodes: FlowNode[]): FlowNode[] {
  return [{ id, type: "tab", label }, ...nodes.map((node) => ({ z: id, ...node }))];
}

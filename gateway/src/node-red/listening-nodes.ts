type FlowNode = { id: string; type: string; [setting: string]: unknown };

/** Whether a node, as configured, waits for connections or datagrams from the network. */
const LISTENS: Record<string, (node: FlowNode) => boolean> = {
  "tcp in": (node) => node.server !== "client",
  "tcp out": (node) => node.beserver === "server",
  "udp in": () => true,
  // A fixed local port for sending is a bound port that receives too.
  "udp out": (node) => Number(node.outport) > 0,
  "websocket-listener": () => true,
};

function isFlowNode(value: unknown): value is FlowNode {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as FlowNode).id === "string" &&
    typeof (value as FlowNode).type === "string"
  );
}

function collectNodes(value: unknown, into: FlowNode[]): FlowNode[] {
  if (Array.isArray(value)) {
    for (const item of value) collectNodes(item, into);
  } else if (typeof value === "object" && value !== null) {
    if (isFlowNode(value)) into.push(value);
    // Deploys are an array of nodes, `{ flows: [...] }`, or one flow `{ nodes, configs, subflows }`.
    for (const key of ["flows", "nodes", "configs", "subflows"]) collectNodes((value as Record<string, unknown>)[key], into);
  }
  return into;
}

/**
 * The nodes of a deploy (any of Node-RED's flow formats) that would listen on the network,
 * described for an error message: `tcp in "name" (id)`.
 */
export function listeningNodes(deploy: unknown): string[] {
  return collectNodes(deploy, [])
    .filter((node) => LISTENS[node.type]?.(node) ?? false)
    .map((node) => `${node.type} ${typeof node.name === "string" && node.name !== "" ? `"${node.name}" ` : ""}(${node.id})`);
}

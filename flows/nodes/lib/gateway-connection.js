// @ts-check
/**
 * @typedef {import("../../gateway-api.js").IntelLedgerGatewayApi} IntelLedgerGatewayApi
 * @typedef {import("../../gateway-api.js").IntelLedgerSettings} IntelLedgerSettings
 * @typedef {import("@node-red/registry").NodeAPI<IntelLedgerSettings>} RED
 * @typedef {import("@node-red/registry").Node & { api: IntelLedgerGatewayApi | undefined }} GatewayConfigNode
 */

/**
 * The gateway API behind a node's config node, or undefined (with a red status and an
 * error the Catch node sees) when there is none: no config node selected, or Node-RED
 * running outside a gateway.
 * @param {RED} RED
 * @param {import("@node-red/registry").Node} node
 * @param {string} configId
 * @returns {IntelLedgerGatewayApi | undefined}
 */
export function connectToGateway(RED, node, configId) {
  const config = /** @type {GatewayConfigNode | null} */ (RED.nodes.getNode(configId));
  if (config?.api) return config.api;
  const problem = config ? "Node-RED is not running inside an IntelLedger gateway" : "no gateway configured";
  node.status({ fill: "red", shape: "ring", text: problem });
  node.error(problem);
  return undefined;
}

/**
 * Registers node type `type`, each of whose nodes works with the gateway its config node
 * names: `start` sets a node up once it is created and the gateway's API is there (without
 * one, the node shows why and does nothing).
 * @template {import("@node-red/registry").NodeDef & { gateway: string }} Def
 * @param {RED} RED
 * @param {string} type
 * @param {(node: import("@node-red/registry").Node, api: IntelLedgerGatewayApi, config: Def) => void} start
 */
export function registerGatewayNode(RED, type, start) {
  /**
   * @this {import("@node-red/registry").Node}
   * @param {Def} config
   */
  function IntelLedgerGatewayNode(config) {
    RED.nodes.createNode(this, config);
    const api = connectToGateway(RED, this, config.gateway);
    if (api) start(this, api, config);
  }
  RED.nodes.registerType(type, IntelLedgerGatewayNode);
}

/**
 * Node status that keeps up with hundreds of messages a second without flooding the
 * editor: the latest text is shown at most once a second.
 * @param {import("@node-red/registry").Node} node
 * @returns {{ set(status: import("@node-red/registry").NodeStatus): void, close(): void }}
 */
export function throttledStatus(node) {
  /** @type {import("@node-red/registry").NodeStatus | undefined} */
  let pending;
  /** @type {NodeJS.Timeout | undefined} */
  let timer;
  return {
    set(status) {
      pending = status;
      timer ??= setTimeout(() => {
        timer = undefined;
        if (pending) node.status(pending);
      }, 1_000);
    },
    close() {
      clearTimeout(timer);
    },
  };
}

/**
 * The message of an error, for node.status texts.
 * @param {unknown} error
 * @returns {string}
 */
export function errorText(error) {
  return error instanceof Error ? error.message : String(error);
}

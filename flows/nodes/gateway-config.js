// @ts-check
/**
 * @typedef {import("./lib/gateway-connection.js").RED} RED
 * @typedef {import("./lib/gateway-connection.js").GatewayConfigNode} GatewayConfigNode
 */

/**
 * The gateway connection. The gateway starts Node-RED and puts its API into Node-RED's
 * settings (over the channel to the gateway), so there is nothing to dial: the node hands
 * that API out.
 * @param {RED} RED
 */
export default function register(RED) {
  /**
   * @this {GatewayConfigNode}
   * @param {import("@node-red/registry").NodeDef} config
   */
  function IntelLedgerGatewayNode(config) {
    RED.nodes.createNode(this, config);
    this.api = RED.settings.intelledgerGateway;
  }
  RED.nodes.registerType("intelledger-gateway", IntelLedgerGatewayNode);
}

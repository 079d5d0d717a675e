// @ts-check
import { registerGatewayNode, throttledStatus } from "./lib/gateway-connection.js";
import { readingFilter, readingMessage } from "./lib/reading-messages.js";

/**
 * @typedef {import("@node-red/registry").NodeDef & import("./lib/reading-messages.js").ReadingFilterConfig & { gateway: string }} ReadingsNodeDef
 */

/**
 * Source of verified readings: one message per stored reading that passes the filter.
 * @param {import("./lib/gateway-connection.js").RED} RED
 */
export default function register(RED) {
  /**
   * @param {import("@node-red/registry").Node} node
   * @param {import("./lib/gateway-connection.js").IntelLedgerGatewayApi} api
   * @param {ReadingsNodeDef} config
   */
  function startReadingsNode(node, api, config) {
    const accepts = readingFilter(config);
    const status = throttledStatus(node);
    let sent = 0;
    node.status({ fill: "green", shape: "ring", text: "waiting for readings" });
    const unsubscribe = api.subscribeReadings((readings) => {
      for (const reading of readings) {
        if (!accepts(reading)) continue;
        node.send(readingMessage(reading));
        sent++;
      }
      if (sent > 0) status.set({ fill: "green", shape: "dot", text: `${sent} readings` });
    });
    node.on("close", () => {
      unsubscribe();
      status.close();
    });
  }
  registerGatewayNode(RED, "intelledger-readings", startReadingsNode);
}

// @ts-check
import { connectToGateway, throttledStatus } from "./lib/gateway-connection.js";
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
   * @this {import("@node-red/registry").Node}
   * @param {ReadingsNodeDef} config
   */
  function IntelLedgerReadingsNode(config) {
    RED.nodes.createNode(this, config);
    const api = connectToGateway(RED, this, config.gateway);
    if (!api) return;
    const accepts = readingFilter(config);
    const status = throttledStatus(this);
    let sent = 0;
    this.status({ fill: "green", shape: "ring", text: "waiting for readings" });
    const unsubscribe = api.subscribeReadings((readings) => {
      for (const reading of readings) {
        if (!accepts(reading)) continue;
        this.send(readingMessage(reading));
        sent++;
      }
      if (sent > 0) status.set({ fill: "green", shape: "dot", text: `${sent} readings` });
    });
    this.on("close", () => {
      unsubscribe();
      status.close();
    });
  }
  RED.nodes.registerType("intelledger-readings", IntelLedgerReadingsNode);
}

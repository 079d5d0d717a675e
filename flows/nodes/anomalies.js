// @ts-check
import { connectToGateway, throttledStatus } from "./lib/gateway-connection.js";
import { readingFilter, readingMessage } from "./lib/reading-messages.js";

/**
 * @typedef {import("@node-red/registry").NodeDef & import("./lib/reading-messages.js").ReadingFilterConfig & { gateway: string, minScore?: string | number }} AnomaliesNodeDef
 */

/**
 * Source of anomalies: readings that inference scored and flagged, with the score under
 * `msg.anomaly`.
 * @param {import("./lib/gateway-connection.js").RED} RED
 */
export default function register(RED) {
  /**
   * @this {import("@node-red/registry").Node}
   * @param {AnomaliesNodeDef} config
   */
  function IntelLedgerAnomaliesNode(config) {
    RED.nodes.createNode(this, config);
    const api = connectToGateway(RED, this, config.gateway);
    if (!api) return;
    const accepts = readingFilter(config);
    const minScore = Number(config.minScore ?? 0) || 0;
    const status = throttledStatus(this);
    let sent = 0;
    this.status({ fill: "green", shape: "ring", text: "waiting for anomalies" });
    const unsubscribe = api.subscribeScores(({ reading, anomaly }) => {
      if (!anomaly.flagged || anomaly.score < minScore || !accepts(reading)) return;
      this.send({ ...readingMessage(reading), anomaly });
      sent++;
      status.set({ fill: "yellow", shape: "dot", text: `${sent} anomalies, last ${reading.deviceId}` });
    });
    this.on("close", () => {
      unsubscribe();
      status.close();
    });
  }
  RED.nodes.registerType("intelledger-anomalies", IntelLedgerAnomaliesNode);
}

// @ts-check
import { registerGatewayNode, throttledStatus } from "./lib/gateway-connection.js";
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
   * @param {import("@node-red/registry").Node} node
   * @param {import("./lib/gateway-connection.js").IntelLedgerGatewayApi} api
   * @param {AnomaliesNodeDef} config
   */
  function startAnomaliesNode(node, api, config) {
    const accepts = readingFilter(config);
    const minScore = Number(config.minScore ?? 0) || 0;
    const status = throttledStatus(node);
    let sent = 0;
    node.status({ fill: "green", shape: "ring", text: "waiting for anomalies" });
    const unsubscribe = api.subscribeScores(({ reading, anomaly }) => {
      if (!anomaly.flagged || anomaly.score < minScore || !accepts(reading)) return;
      node.send({ ...readingMessage(reading), anomaly });
      sent++;
      status.set({ fill: "yellow", shape: "dot", text: `${sent} anomalies, last ${reading.deviceId}` });
    });
    node.on("close", () => {
      unsubscribe();
      status.close();
    });
  }
  registerGatewayNode(RED, "intelledger-anomalies", startAnomaliesNode);
}

// @ts-check
import { registerGatewayNode, throttledStatus } from "./lib/gateway-connection.js";

/**
 * @typedef {import("@node-red/registry").NodeDef & { gateway: string, rules?: string, states?: string }} AlertsNodeDef
 */

/**
 * Source of the gateway's rule alerts: one message per firing or resolution, once it is
 * stored as an anchored alert reading. `msg.payload` is the alert, `msg.topic` its rule.
 * Narrowed to some rules (comma-separated names) and to firings or resolutions.
 * @param {import("./lib/gateway-connection.js").RED} RED
 */
export default function register(RED) {
  /**
   * @param {import("@node-red/registry").Node} node
   * @param {import("./lib/gateway-connection.js").IntelLedgerGatewayApi} api
   * @param {AlertsNodeDef} config
   */
  function startAlertsNode(node, api, config) {
    const names = (config.rules ?? "")
      .split(",")
      .map((name) => name.trim())
      .filter((name) => name !== "");
    const rules = names.length > 0 ? new Set(names) : undefined;
    const states = config.states === "firing" || config.states === "resolved" ? config.states : undefined;
    const status = throttledStatus(node);
    node.status({ fill: "green", shape: "ring", text: "waiting for alerts" });
    const unsubscribe = api.subscribeRuleAlerts((alert) => {
      if ((rules && !rules.has(alert.rule)) || (states && alert.state !== states)) return;
      node.send({ topic: alert.rule, payload: alert });
      status.set({
        fill: alert.state === "firing" ? "red" : "green",
        shape: "dot",
        text: `${alert.rule} ${alert.state}: ${alert.subject}`,
      });
    });
    node.on("close", () => {
      unsubscribe();
      status.close();
    });
  }
  registerGatewayNode(RED, "intelledger-alerts", startAlertsNode);
}

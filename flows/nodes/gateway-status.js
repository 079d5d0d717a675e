// @ts-check
import { registerGatewayNode } from "./lib/gateway-connection.js";

/**
 * @typedef {import("@node-red/registry").NodeDef & { gateway: string, intervalS?: string | number }} GatewayStatusNodeDef
 */

/**
 * The gateway's state (ingest, buffer, batches, uplink) as `msg.payload`, on every
 * input message and, if set, every `intervalS` seconds.
 * @param {import("./lib/gateway-connection.js").RED} RED
 */
export default function register(RED) {
  /**
   * @param {import("@node-red/registry").Node} node
   * @param {import("./lib/gateway-connection.js").IntelLedgerGatewayApi} api
   * @param {GatewayStatusNodeDef} config
   */
  function startGatewayStatusNode(node, api, config) {
    const report = () => {
      const status = api.status();
      node.status({
        fill: status.uplink === "uploading" ? "green" : "yellow",
        shape: "dot",
        text: `${status.readingsStored} stored, backlog ${status.backlog.readings}, uplink ${status.uplink}`,
      });
      return status;
    };
    const intervalMs = (Number(config.intervalS ?? 0) || 0) * 1_000;
    const timer =
      intervalMs > 0 ? setInterval(() => node.send({ topic: "gateway/status", payload: report() }), intervalMs) : undefined;

    node.on("input", (msg, send, done) => {
      send({ ...msg, payload: report() });
      done();
    });
    node.on("close", () => clearInterval(timer));
  }
  registerGatewayNode(RED, "intelledger-status", startGatewayStatusNode);
}

// @ts-check
import { connectToGateway } from "./lib/gateway-connection.js";

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
   * @this {import("@node-red/registry").Node}
   * @param {GatewayStatusNodeDef} config
   */
  function IntelLedgerGatewayStatusNode(config) {
    RED.nodes.createNode(this, config);
    const api = connectToGateway(RED, this, config.gateway);
    if (!api) return;
    const report = () => {
      const status = api.status();
      this.status({
        fill: status.uplink === "uploading" ? "green" : "yellow",
        shape: "dot",
        text: `${status.readingsStored} stored, backlog ${status.backlog.readings}, uplink ${status.uplink}`,
      });
      return status;
    };
    const intervalMs = (Number(config.intervalS ?? 0) || 0) * 1_000;
    const timer =
      intervalMs > 0 ? setInterval(() => this.send({ topic: "gateway/status", payload: report() }), intervalMs) : undefined;

    this.on("input", (msg, send, done) => {
      send({ ...msg, payload: report() });
      done();
    });
    this.on("close", () => clearInterval(timer));
  }
  RED.nodes.registerType("intelledger-status", IntelLedgerGatewayStatusNode);
}

// @ts-check
import { errorText, registerGatewayNode } from "./lib/gateway-connection.js";

/**
 * @typedef {import("@node-red/registry").NodeDef & { gateway: string, stream?: string, spanS?: string | number, resolution?: string }} SeriesNodeDef
 * @typedef {import("../gateway-api.js").SeriesRequest} SeriesRequest
 */

const RESOLUTIONS = ["auto", "raw", "1m", "1h"];

/**
 * A stream's series from the gateway, as GET /api/series gives it: raw readings or
 * 1-minute or 1-hour rollups. Each input message asks; `msg.payload` may name `stream`,
 * `from`, `to` (ms since the epoch), `resolution` and `limit`, over what the node is set to
 * (the last `spanS` seconds of its stream). The answer replaces `msg.payload`; a refused
 * request is an error the Catch node sees, naming what was wrong.
 * @param {import("./lib/gateway-connection.js").RED} RED
 */
export default function register(RED) {
  /**
   * @param {import("@node-red/registry").Node} node
   * @param {import("./lib/gateway-connection.js").IntelLedgerGatewayApi} api
   * @param {SeriesNodeDef} config
   */
  function startSeriesNode(node, api, config) {
    const spanMs = (Number(config.spanS ?? 3_600) || 3_600) * 1_000;
    node.on("input", (msg, send, done) => {
      const asked = /** @type {Record<string, unknown>} */ (
        typeof msg.payload === "object" && msg.payload !== null ? msg.payload : {}
      );
      const toMs = typeof asked.to === "number" ? asked.to : Date.now();
      const resolution = String(asked.resolution ?? config.resolution ?? "auto");
      /** @type {SeriesRequest} */
      const request = {
        stream: String(asked.stream ?? config.stream ?? ""),
        fromMs: typeof asked.from === "number" ? asked.from : toMs - spanMs,
        toMs,
        resolution: /** @type {SeriesRequest["resolution"]} */ (RESOLUTIONS.includes(resolution) ? resolution : "auto"),
        ...(typeof asked.limit === "number" ? { limit: asked.limit } : {}),
      };
      api.querySeries(request).then(
        (answer) => {
          const points = answer.buckets?.length ?? answer.readings?.length ?? 0;
          node.status({ fill: "green", shape: "dot", text: `${points} points (${answer.resolution})` });
          send({ ...msg, topic: answer.stream, payload: answer });
          done();
        },
        (error) => {
          node.status({ fill: "red", shape: "ring", text: errorText(error) });
          done(error instanceof Error ? error : new Error(errorText(error)));
        },
      );
    });
  }
  registerGatewayNode(RED, "intelledger-series", startSeriesNode);
}

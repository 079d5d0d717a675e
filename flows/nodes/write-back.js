// @ts-check
import { errorText, registerGatewayNode, throttledStatus } from "./lib/gateway-connection.js";

/**
 * @typedef {import("../gateway-api.js").AlertSeverity} AlertSeverity
 * @typedef {import("../gateway-api.js").MeasuredChannel} MeasuredChannel
 * @typedef {import("@node-red/registry").NodeDef & {
 *   gateway: string,
 *   mode: "reading" | "alert",
 *   source: string,
 *   channel?: MeasuredChannel,
 *   channelIndex?: string | number,
 *   scale?: string | number,
 *   severity?: AlertSeverity,
 *   code?: string | number,
 * }} WriteBackNodeDef
 * @typedef {{ severity?: AlertSeverity, code?: number, message?: string }} AlertOverrides
 */

/**
 * The reading a message is about, when it came from a readings or anomalies node.
 * @param {import("@node-red/registry").NodeMessage} msg
 * @returns {{ deviceId: string, gatewaySeq?: number } | undefined}
 */
function subjectOf(msg) {
  const reading = /** @type {{ deviceId?: unknown, gatewaySeq?: unknown } | undefined} */ (msg.reading);
  if (typeof reading?.deviceId !== "string") return undefined;
  return typeof reading.gatewaySeq === "number"
    ? { deviceId: reading.deviceId, gatewaySeq: reading.gatewaySeq }
    : { deviceId: reading.deviceId };
}

/**
 * Writes a derived reading or an alert back into the gateway, which stores it as a
 * reading of the virtual device `flow.<source>`: it is batched and anchored like any
 * device's reading. Passes the message on with what was stored under `msg.stored`.
 * @param {import("./lib/gateway-connection.js").RED} RED
 */
export default function register(RED) {
  /**
   * @param {import("@node-red/registry").Node} node
   * @param {import("./lib/gateway-connection.js").IntelLedgerGatewayApi} api
   * @param {WriteBackNodeDef} config
   */
  function startWriteBackNode(node, api, config) {
    const status = throttledStatus(node);
    let written = 0;

    node.on("input", (msg, send, done) => {
      const source = typeof msg.source === "string" && msg.source !== "" ? msg.source : config.source;
      /** @type {Promise<unknown>} */
      let stored;
      if (config.mode === "alert") {
        const overrides = /** @type {AlertOverrides} */ (msg.alert ?? {});
        const subject = subjectOf(msg);
        stored = api.raiseAlert({
          source,
          severity: overrides.severity ?? config.severity ?? "warning",
          code: overrides.code ?? Number(config.code ?? 0),
          message: overrides.message ?? (typeof msg.payload === "string" ? msg.payload : JSON.stringify(msg.payload)),
          subject,
        });
      } else {
        if (typeof msg.payload !== "number" || !Number.isFinite(msg.payload)) {
          done(new Error("msg.payload must be a finite number to write a derived reading"));
          return;
        }
        stored = api.writeDerivedReading({
          source,
          channel: config.channel ?? "analog",
          channelIndex: Number(config.channelIndex ?? 0),
          value: msg.payload,
          scale: Number(config.scale ?? 3),
          sampledAtMs: typeof msg.sampledAtMs === "number" ? msg.sampledAtMs : undefined,
        });
      }
      stored.then(
        (result) => {
          written++;
          status.set({ fill: "green", shape: "dot", text: `${written} written, last to flow.${source}` });
          send({ ...msg, stored: result });
          done();
        },
        (/** @type {unknown} */ error) => {
          node.status({ fill: "red", shape: "ring", text: errorText(error) });
          done(error instanceof Error ? error : new Error(String(error)));
        },
      );
    });
    node.on("close", () => status.close());
  }
  registerGatewayNode(RED, "intelledger-write", startWriteBackNode);
}

// @ts-check
import { errorText, registerGatewayNode } from "./lib/gateway-connection.js";

/**
 * @typedef {import("../gateway-api.js").DeviceAction} DeviceAction
 * @typedef {import("@node-red/registry").NodeDef & {
 *   gateway: string,
 *   device?: string,
 *   action: "setSamplingInterval" | "reboot" | "msg",
 *   intervalMs?: string | number,
 *   minIntervalS?: string | number,
 * }} DeviceCommandNodeDef
 */

/**
 * The command the node's settings describe, or the one in `msg.command`.
 * @param {DeviceCommandNodeDef} config
 * @param {import("@node-red/registry").NodeMessage} msg
 * @returns {DeviceAction}
 */
function commandFor(config, msg) {
  switch (config.action) {
    case "setSamplingInterval":
      return { type: "setSamplingInterval", intervalMs: Number(config.intervalMs) };
    case "reboot":
      return { type: "reboot" };
    case "msg": {
      const command = /** @type {Partial<DeviceAction> | undefined} */ (msg.command);
      if (typeof command?.type !== "string") {
        throw new Error('msg.command must be a command such as { "type": "setSamplingInterval", "intervalMs": 500 }');
      }
      return /** @type {DeviceAction} */ (command);
    }
    default:
      throw new Error(`unknown command setting ${JSON.stringify(config.action)}`);
  }
}

/**
 * The device a message is about: the node's own setting, else `msg.deviceId`, else the
 * device of the reading that triggered it.
 * @param {DeviceCommandNodeDef} config
 * @param {import("@node-red/registry").NodeMessage} msg
 * @returns {string | undefined}
 */
function deviceFor(config, msg) {
  if (config.device) return config.device;
  if (typeof msg.deviceId === "string") return msg.deviceId;
  const reading = /** @type {{ deviceId?: unknown } | undefined} */ (msg.reading);
  return typeof reading?.deviceId === "string" ? reading.deviceId : undefined;
}

/**
 * Sends a command to a device through the gateway, which signs it with its command key,
 * and waits for the device's answer. At most one command per device every `minIntervalS`
 * seconds, so a flow that fires on every reading cannot flood a device.
 * @param {import("./lib/gateway-connection.js").RED} RED
 */
export default function register(RED) {
  /**
   * @param {import("@node-red/registry").Node} node
   * @param {import("./lib/gateway-connection.js").IntelLedgerGatewayApi} api
   * @param {DeviceCommandNodeDef} config
   */
  function startDeviceCommandNode(node, api, config) {
    const minIntervalMs = Math.max(0, Number(config.minIntervalS ?? 10) || 0) * 1_000;
    /** @type {Map<string, number>} */
    const lastSentAt = new Map();

    node.on("input", (msg, _send, done) => {
      const deviceId = deviceFor(config, msg);
      if (deviceId === undefined) {
        done(new Error("no device: set one on the node, in msg.deviceId, or send a reading"));
        return;
      }
      let action;
      try {
        action = commandFor(config, msg);
      } catch (error) {
        done(/** @type {Error} */ (error));
        return;
      }
      const now = Date.now();
      if (now - (lastSentAt.get(deviceId) ?? -Infinity) < minIntervalMs) {
        node.status({
          fill: "grey",
          shape: "ring",
          text: `held back: ${deviceId} had a command less than ${minIntervalMs / 1000} s ago`,
        });
        done();
        return;
      }
      lastSentAt.set(deviceId, now);
      api.sendDeviceCommand(deviceId, action, `node-red:${node.id}`).then(
        (receipt) => {
          if (receipt.result !== "applied") {
            node.status({ fill: "red", shape: "ring", text: `${deviceId} refused ${action.type}: ${receipt.result}` });
            done(new Error(`device ${deviceId} refused command ${receipt.commandId}: ${receipt.result}`));
            return;
          }
          node.status({ fill: "green", shape: "dot", text: `${action.type} #${receipt.commandId} applied by ${deviceId}` });
          done();
        },
        (/** @type {unknown} */ error) => {
          node.status({ fill: "red", shape: "ring", text: errorText(error) });
          done(error instanceof Error ? error : new Error(String(error)));
        },
      );
    });
  }
  registerGatewayNode(RED, "intelledger-command", startDeviceCommandNode);
}

import type { BridgeHandlers, GatewayChannel } from "./bridge-types.js";
import type { GatewayApi } from "./gateway-api.js";

/**
 * The requests answered by the connected gateway's API: in the app with the console's token
 * (main process), in a browser with the session cookie. `api` answers the connected gateway or
 * throws, saying to connect first.
 */
export function gatewayHandlers(api: () => GatewayApi): Pick<BridgeHandlers, GatewayChannel> {
  return {
    "gateway.status": () => api().status(),
    "devices.list": () => api().devices(),
    "devices.action": ({ deviceId, action, reason }) =>
      api().deviceAction(
        deviceId,
        action,
        action === "decommission" ? { confirm: deviceId, ...(reason && { reason }) } : reason ? { comment: reason } : {},
      ),
    "devices.settings": ({ deviceId, settings }) => api().putDeviceSettings(deviceId, settings),
    "devices.rotateKey": ({ deviceId, ...handover }) => api().deviceAction(deviceId, "rotate-key", handover),
    "devices.command": ({ deviceId, action }) =>
      api().call("POST", `/api/devices/${encodeURIComponent(deviceId)}/commands`, action),
    "nodeRed.get": () => api().call("GET", "/api/node-red"),
    "inference.get": () => api().inference(),
    "inference.swap": ({ version }) => api().swapModel(version),
    "config.get": () => api().config(),
    "config.schema": () => api().configSchema(),
    "config.validate": ({ config }) => api().validateConfig(config),
    "config.diff": ({ config }) => api().diffConfig(config),
    "config.apply": ({ config, comment }) => api().applyConfig(config, comment),
    "config.history": () => api().configHistory(),
    "config.revert": ({ revision }) => api().revertConfig(revision),
    "uplink.enroll": (request) => api().enroll(request),
    "audit.list": ({ limit }) => api().audit(limit),
    "proofs.batches": ({ limit, beforeSequence }) => api().batches(limit, beforeSequence),
    "proofs.receipt": ({ gatewaySeq }) => api().receipt(gatewaySeq),
    "proofs.verify": ({ gatewaySeq, rpcUrl }) => api().verifyReceipt(gatewaySeq, rpcUrl),
  };
}

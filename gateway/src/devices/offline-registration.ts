import { join } from "node:path";
import { openGatewayDatabase } from "../store/gateway-database.js";
import { DeviceRegistry } from "./device-registry.js";
import type { MqttCredentials } from "./mqtt-credentials.js";

/**
 * Registers devices in a gateway's data folder while the gateway is not running
 * (provisioning), and issues each a new MQTT login for the embedded broker; the logins are
 * returned this once (the gateway keeps only their hashes).
 */
export function registerDevicesOffline(
  dataDir: string,
  devices: readonly { deviceId: string; publicKeyPoint: Uint8Array }[],
): MqttCredentials[] {
  const db = openGatewayDatabase(join(dataDir, "gateway.sqlite"));
  try {
    const registry = new DeviceRegistry(db);
    return devices.map((device) => {
      registry.register(device.deviceId, device.publicKeyPoint);
      return registry.issueMqttCredentials(device.deviceId);
    });
  } finally {
    db.close();
  }
}

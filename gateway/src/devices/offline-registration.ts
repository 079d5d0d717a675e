import { join } from "node:path";
import { openGatewayDatabase, type SqliteDatabase } from "../store/gateway-database.js";
import { DeviceRegistry } from "./device-registry.js";
import type { MqttCredentials } from "./mqtt-credentials.js";

/**
 * Runs `use` on the device registry in a gateway's data folder while the gateway is not
 * running (a running gateway keeps the registry in memory and would not see the change).
 */
export function withOfflineRegistry<T>(dataDir: string, use: (registry: DeviceRegistry, db: SqliteDatabase) => T): T {
  const db = openGatewayDatabase(join(dataDir, "gateway.sqlite"));
  try {
    return use(new DeviceRegistry(db), db);
  } finally {
    db.close();
  }
}

/**
 * Registers devices with a stopped gateway (provisioning) and issues each a new MQTT login
 * for the embedded broker; the logins are returned this once (the gateway keeps only their
 * hashes).
 */
export function registerDevicesOffline(
  dataDir: string,
  devices: readonly { deviceId: string; publicKeyPoint: Uint8Array }[],
): MqttCredentials[] {
  return withOfflineRegistry(dataDir, (registry) =>
    devices.map((device) => {
      registry.register(device.deviceId, device.publicKeyPoint);
      return registry.issueMqttCredentials(device.deviceId);
    }),
  );
}

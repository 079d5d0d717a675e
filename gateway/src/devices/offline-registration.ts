import { join } from "node:path";
import { openGatewayDatabase } from "../store/gateway-database.js";
import { DeviceRegistry } from "./device-registry.js";

/** Registers devices in a gateway's data folder while the gateway is not running (provisioning). */
export function registerDevicesOffline(
  dataDir: string,
  devices: readonly { deviceId: string; publicKeyPoint: Uint8Array }[],
): void {
  const db = openGatewayDatabase(join(dataDir, "gateway.sqlite"));
  try {
    const registry = new DeviceRegistry(db);
    for (const device of devices) registry.register(device.deviceId, device.publicKeyPoint);
  } finally {
    db.close();
  }
}

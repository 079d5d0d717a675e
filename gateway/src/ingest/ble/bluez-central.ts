import dbus, { Variant, type ClientInterface, type MessageBus } from "dbus-next";
import type { Logger } from "pino";
import { GatewayError } from "../../errors.js";
import {
  COMMAND_CHARACTERISTIC_UUID,
  DEFAULT_ATT_MTU,
  FRAME_CHARACTERISTIC_UUID,
  INTELLEDGER_SERVICE_UUID,
  type BleCentral,
  type BleLink,
} from "./ble-central.js";

type ManagedObjects = Record<string, Record<string, Record<string, Variant>>>;

const BLUEZ = "org.bluez";
const DEVICE = "org.bluez.Device1";
const CHARACTERISTIC = "org.bluez.GattCharacteristic1";
const PROPERTIES = "org.freedesktop.DBus.Properties";

/** Calls a D-Bus method of a proxy interface (dbus-next builds them at run time). */
function call<T>(iface: ClientInterface, method: string, ...args: unknown[]): Promise<T> {
  return (
    (iface as unknown as Record<string, (...a: unknown[]) => Promise<T>>)[method]?.(...args) ??
    Promise.reject(
      new GatewayError(`BlueZ's ${(iface as unknown as { $name: string }).$name} has no method ${method}`, { method }),
    )
  );
}

/** BLE through BlueZ on the system D-Bus: the adapter scans for the IntelLedger service and the gateway connects as central. */
export class BluezCentral implements BleCentral {
  private bus: MessageBus | undefined;
  private readonly connected = new Set<string>();
  private readonly logger: Logger;
  private readonly adapterName: string;
  private timer: NodeJS.Timeout | undefined;
  private onLink: ((link: BleLink) => void) | undefined;

  constructor(options: { adapter: string; logger: Logger }) {
    this.adapterName = options.adapter;
    this.logger = options.logger;
  }

  async start(onLink: (link: BleLink) => void, failed?: (error: Error) => void): Promise<void> {
    this.onLink = onLink;
    const bus = dbus.systemBus();
    this.bus = bus;
    const adapter = (await bus.getProxyObject(BLUEZ, `/org/bluez/${this.adapterName}`)).getInterface("org.bluez.Adapter1");
    await call(adapter, "SetDiscoveryFilter", {
      UUIDs: new Variant("as", [INTELLEDGER_SERVICE_UUID]),
      Transport: new Variant("s", "le"),
    });
    await call(adapter, "StartDiscovery");
    // Devices come and go; look for those advertising the service and not yet connected.
    await this.connectNewDevices();
    // BlueZ restarted or the adapter was removed: the scan fails until the central starts again.
    this.timer = setInterval(() => {
      this.connectNewDevices().catch((error: unknown) => {
        const lost = new GatewayError(
          `the BLE adapter ${this.adapterName} cannot scan: ${(error as Error).message}`,
          { adapter: this.adapterName },
          { cause: error },
        );
        if (failed) failed(lost);
        else this.logger.error({ err: lost }, "scanning for BLE devices failed");
      });
    }, 2_000);
  }

  stop(): Promise<void> {
    clearInterval(this.timer);
    this.bus?.disconnect();
    this.bus = undefined;
    return Promise.resolve();
  }

  private async managedObjects(): Promise<ManagedObjects> {
    const root = await (this.bus as MessageBus).getProxyObject(BLUEZ, "/");
    return call<ManagedObjects>(root.getInterface("org.freedesktop.DBus.ObjectManager"), "GetManagedObjects");
  }

  private async connectNewDevices(): Promise<void> {
    if (!this.bus) return;
    const objects = await this.managedObjects();
    for (const [path, interfaces] of Object.entries(objects)) {
      const device = interfaces[DEVICE];
      const uuids = (device?.UUIDs?.value as string[] | undefined) ?? [];
      if (!device || !uuids.includes(INTELLEDGER_SERVICE_UUID) || this.connected.has(path)) continue;
      this.connected.add(path);
      this.connect(path, String(device.Name?.value ?? path)).catch((error: unknown) => {
        this.connected.delete(path);
        this.logger.warn({ err: error, path }, "BLE connection failed; retrying on the next scan");
      });
    }
  }

  private async connect(path: string, deviceId: string): Promise<void> {
    const bus = this.bus as MessageBus;
    const deviceObject = await bus.getProxyObject(BLUEZ, path);
    await call(deviceObject.getInterface(DEVICE), "Connect");
    const deviceProperties = deviceObject.getInterface(PROPERTIES);
    const resolved = async () =>
      ((await call<Variant>(deviceProperties, "Get", DEVICE, "ServicesResolved")).value as boolean) === true;
    for (let attempt = 0; !(await resolved()); attempt++) {
      if (attempt > 100) throw new GatewayError(`services of ${deviceId} never resolved`, { deviceId, path });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const characteristics = Object.entries(await this.managedObjects()).filter(
      ([p, i]) => p.startsWith(`${path}/`) && i[CHARACTERISTIC],
    );
    const find = (uuid: string) => characteristics.find(([, i]) => i[CHARACTERISTIC]?.UUID?.value === uuid);
    const notify = find(FRAME_CHARACTERISTIC_UUID);
    const command = find(COMMAND_CHARACTERISTIC_UUID);
    if (!notify || !command) {
      throw new GatewayError(`${deviceId} lacks the IntelLedger ${notify ? "command" : "frame"} characteristic`, {
        deviceId,
        path,
      });
    }
    const notifyObject = await bus.getProxyObject(BLUEZ, notify[0]);
    const commandInterface = (await bus.getProxyObject(BLUEZ, command[0])).getInterface(CHARACTERISTIC);
    const mtu = Number(command[1][CHARACTERISTIC]?.MTU?.value ?? DEFAULT_ATT_MTU);

    const dataListeners: ((chunk: Uint8Array) => void)[] = [];
    const disconnectListeners: (() => void)[] = [];
    notifyObject.getInterface(PROPERTIES).on("PropertiesChanged", (iface: string, changed: Record<string, Variant>) => {
      const value = changed.Value?.value as Buffer | undefined;
      if (iface === CHARACTERISTIC && value) for (const listener of dataListeners) listener(new Uint8Array(value));
    });
    deviceProperties.on("PropertiesChanged", (iface: string, changed: Record<string, Variant>) => {
      if (iface !== DEVICE || changed.Connected?.value !== false) return;
      this.connected.delete(path);
      for (const listener of disconnectListeners) listener();
    });
    await call(notifyObject.getInterface(CHARACTERISTIC), "StartNotify");
    this.logger.info({ deviceId, path, mtu }, "BLE device connected");
    this.onLink?.({
      deviceId,
      mtu,
      onData: (listener) => dataListeners.push(listener),
      onDisconnect: (listener) => disconnectListeners.push(listener),
      write: (chunk) => call(commandInterface, "WriteValue", Buffer.from(chunk), { type: new Variant("s", "request") }),
      disconnect: () => call(deviceObject.getInterface(DEVICE), "Disconnect"),
    });
  }
}

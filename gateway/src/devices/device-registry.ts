import type { KeyObject } from "node:crypto";
import { isValidDeviceId } from "@intelledger/circuits";
import { isDerivedDeviceId } from "../store/derived-store.js";
import { GatewayError } from "../errors.js";
import type { SqliteDatabase } from "../store/gateway-database.js";
import { p256KeyFromPoint } from "@intelledger/proto/p256";

export type DeviceStatus = "active" | "inactive";

export interface RegisteredDevice {
  readonly deviceId: string;
  readonly publicKey: KeyObject;
  readonly publicKeyPoint: Uint8Array;
  status: DeviceStatus;
  /** Highest frame counter accepted so far; kept equal to the database by the reading store. */
  lastCounter: number;
  /** Uptime the device reported in its last accepted frame (in memory only). */
  lastUptimeMs?: number;
}

interface DeviceRow {
  device_id: string;
  public_key: Buffer;
  status: DeviceStatus;
  last_counter: number;
}

/** The devices this gateway accepts frames from, cached in memory for the ingest path. */
export class DeviceRegistry {
  private readonly devices = new Map<string, RegisteredDevice>();
  private readonly db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.db = db;
    for (const row of db.prepare("SELECT device_id, public_key, status, last_counter FROM devices").all() as DeviceRow[]) {
      this.devices.set(row.device_id, {
        deviceId: row.device_id,
        publicKey: p256KeyFromPoint(row.public_key),
        publicKeyPoint: new Uint8Array(row.public_key),
        status: row.status,
        lastCounter: row.last_counter,
      });
    }
  }

  /** Registers a device, or confirms one already registered with the same key. */
  register(deviceId: string, publicKeyPoint: Uint8Array): RegisteredDevice {
    if (!isValidDeviceId(deviceId)) {
      throw new GatewayError("a device id is 1 to 31 characters of A-Z a-z 0-9 . _ -", { deviceId });
    }
    if (isDerivedDeviceId(deviceId)) throw new GatewayError("device ids starting with flow. belong to flows", { deviceId });
    const existing = this.devices.get(deviceId);
    if (existing) {
      if (!Buffer.from(existing.publicKeyPoint).equals(Buffer.from(publicKeyPoint))) {
        throw new GatewayError("device already registered with another key", { deviceId });
      }
      return existing;
    }
    let publicKey: KeyObject;
    try {
      publicKey = p256KeyFromPoint(publicKeyPoint);
    } catch (cause) {
      throw new GatewayError(`the device's public key is refused: ${(cause as Error).message}`, { deviceId }, { cause });
    }
    const device: RegisteredDevice = {
      deviceId,
      publicKey,
      publicKeyPoint: new Uint8Array(publicKeyPoint),
      status: "active",
      lastCounter: 0,
    };
    this.db
      .prepare(
        "INSERT INTO devices (device_id, public_key, status, last_counter, registered_at_ms) VALUES (?, ?, 'active', 0, ?)",
      )
      .run(deviceId, Buffer.from(publicKeyPoint), Date.now());
    this.devices.set(deviceId, device);
    return device;
  }

  setStatus(deviceId: string, status: DeviceStatus): void {
    const device = this.devices.get(deviceId);
    if (!device) throw new GatewayError("unknown device", { deviceId });
    this.db.prepare("UPDATE devices SET status = ? WHERE device_id = ?").run(status, deviceId);
    device.status = status;
  }

  /** Re-reads counters from the database, after a commit that failed left the cache ahead of it. */
  reloadCounters(): void {
    for (const row of this.db.prepare("SELECT device_id, last_counter FROM devices").all() as Pick<
      DeviceRow,
      "device_id" | "last_counter"
    >[]) {
      const device = this.devices.get(row.device_id);
      if (device) device.lastCounter = row.last_counter;
    }
  }

  get(deviceId: string): RegisteredDevice | undefined {
    return this.devices.get(deviceId);
  }

  list(): RegisteredDevice[] {
    return [...this.devices.values()];
  }
}

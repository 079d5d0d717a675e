import type { KeyObject } from "node:crypto";
import { isValidDeviceId } from "@intelledger/circuits";
import type { AuditLog } from "../auth/audit-log.js";
import { isDerivedDeviceId } from "../store/derived-store.js";
import { GatewayError } from "../errors.js";
import type { SqliteDatabase } from "../store/gateway-database.js";
import { p256KeyFromPoint } from "@intelledger/proto/p256";
import { mqttTokenHash, mqttTokenMatches, newMqttToken, type MqttCredentials } from "./mqtt-credentials.js";

export type DeviceStatus = "active" | "inactive";

/**
 * The largest frame counter the gateway keeps: counters are uint64 on the wire, SQLite's
 * INTEGER is a signed 64-bit integer. A device never gets near it (2^63 frames); a frame
 * above it is refused.
 */
export const MAX_FRAME_COUNTER = 2n ** 63n - 1n;

export interface RegisteredDevice {
  readonly deviceId: string;
  readonly publicKey: KeyObject;
  readonly publicKeyPoint: Uint8Array;
  status: DeviceStatus;
  /** Highest frame counter accepted so far; kept equal to the database by the reading store. */
  lastCounter: bigint;
  /** Uptime the device reported in its last accepted frame (in memory only). */
  lastUptimeMs?: number;
}

/** Who makes a change that the audit log must show, and the log. */
export interface AuditTrail {
  audit: AuditLog;
  /** An account name, or `cli:<user>` for the command line. */
  actor: string;
}

interface DeviceRow {
  device_id: string;
  public_key: Buffer;
  status: DeviceStatus;
  last_counter: bigint;
  mqtt_password_hash: Buffer | null;
}

function checkedKey(deviceId: string, publicKeyPoint: Uint8Array): KeyObject {
  try {
    return p256KeyFromPoint(publicKeyPoint);
  } catch (cause) {
    throw new GatewayError(`the device's public key is refused: ${(cause as Error).message}`, { deviceId }, { cause });
  }
}

/** The devices this gateway accepts frames from, cached in memory for the ingest path. */
export class DeviceRegistry {
  private readonly devices = new Map<string, RegisteredDevice>();
  private readonly mqttPasswordHashes = new Map<string, Buffer>();
  private readonly db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.db = db;
    const rows = db
      .prepare("SELECT device_id, public_key, status, last_counter, mqtt_password_hash FROM devices")
      .safeIntegers(true)
      .all() as DeviceRow[];
    for (const row of rows) {
      this.devices.set(row.device_id, {
        deviceId: row.device_id,
        publicKey: p256KeyFromPoint(row.public_key),
        publicKeyPoint: new Uint8Array(row.public_key),
        status: row.status,
        lastCounter: row.last_counter,
      });
      if (row.mqtt_password_hash) this.mqttPasswordHashes.set(row.device_id, row.mqtt_password_hash);
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
    const device: RegisteredDevice = {
      deviceId,
      publicKey: checkedKey(deviceId, publicKeyPoint),
      publicKeyPoint: new Uint8Array(publicKeyPoint),
      status: "active",
      lastCounter: 0n,
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
    const device = this.known(deviceId);
    this.db.prepare("UPDATE devices SET status = ? WHERE device_id = ?").run(status, deviceId);
    device.status = status;
  }

  /**
   * Issues the device a new MQTT login (user name = device id), replacing any earlier one.
   * The token is returned once, for provisioning, and only its hash is kept.
   */
  issueMqttCredentials(deviceId: string, trail?: AuditTrail): MqttCredentials {
    this.known(deviceId);
    const password = newMqttToken();
    const hash = mqttTokenHash(password);
    this.db.prepare("UPDATE devices SET mqtt_password_hash = ? WHERE device_id = ?").run(hash, deviceId);
    this.mqttPasswordHashes.set(deviceId, hash);
    trail?.audit.record(trail.actor, "device.mqtt-credentials.issue", deviceId);
    return { username: deviceId, password };
  }

  /** Whether `password` is the MQTT token last issued to the device. */
  checkMqttPassword(deviceId: string, password: Uint8Array | undefined): boolean {
    return mqttTokenMatches(this.mqttPasswordHashes.get(deviceId), password);
  }

  /**
   * Sets the counter the device's next frame must exceed, for a technician recovering a
   * device: one whose counter was set back (its storage was wiped) or moved ahead beyond
   * what the gateway accepts in one step. Audited.
   */
  resetCounter(deviceId: string, counter: bigint, trail: AuditTrail): void {
    const device = this.known(deviceId);
    if (counter < 0n || counter > MAX_FRAME_COUNTER) {
      throw new GatewayError(`a counter is 0 to ${MAX_FRAME_COUNTER}`, { deviceId, counter: counter.toString() });
    }
    this.db.transaction(() => {
      this.db.prepare("UPDATE devices SET last_counter = ? WHERE device_id = ?").run(counter, deviceId);
      trail.audit.record(trail.actor, "device.counter.reset", deviceId, {
        from: device.lastCounter.toString(),
        to: counter.toString(),
      });
    })();
    device.lastCounter = counter;
    delete device.lastUptimeMs;
  }

  /**
   * Replaces the device's public key (a re-provisioned device made a new one, or the old
   * one leaked) and sets its counter, 0 unless given: the new key starts a new run of
   * counters. Audited with both keys.
   */
  rotateKey(deviceId: string, publicKeyPoint: Uint8Array, trail: AuditTrail, counter = 0n): RegisteredDevice {
    const previous = this.known(deviceId);
    const publicKey = checkedKey(deviceId, publicKeyPoint);
    this.db.transaction(() => {
      this.db.prepare("UPDATE devices SET public_key = ? WHERE device_id = ?").run(Buffer.from(publicKeyPoint), deviceId);
      trail.audit.record(trail.actor, "device.key.rotate", deviceId, {
        from: Buffer.from(previous.publicKeyPoint).toString("hex"),
        to: Buffer.from(publicKeyPoint).toString("hex"),
      });
      this.resetCounter(deviceId, counter, trail);
    })();
    const rotated: RegisteredDevice = {
      deviceId,
      publicKey,
      publicKeyPoint: new Uint8Array(publicKeyPoint),
      status: previous.status,
      lastCounter: counter,
    };
    this.devices.set(deviceId, rotated);
    return rotated;
  }

  /** Re-reads counters from the database, after a commit that failed left the cache ahead of it. */
  reloadCounters(): void {
    const rows = this.db.prepare("SELECT device_id, last_counter FROM devices").safeIntegers(true).all() as Pick<
      DeviceRow,
      "device_id" | "last_counter"
    >[];
    for (const row of rows) {
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

  private known(deviceId: string): RegisteredDevice {
    const device = this.devices.get(deviceId);
    if (!device) throw new GatewayError("unknown device", { deviceId });
    return device;
  }
}

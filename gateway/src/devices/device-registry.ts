import type { KeyObject } from "node:crypto";
import { isValidDeviceId } from "@intelledger/circuits";
import { p256KeyFromPoint } from "@intelledger/proto/p256";
import type { AuditLog } from "../auth/audit-log.js";
import { ConflictError, GatewayError, NotFoundError } from "../errors.js";
import { isDerivedDeviceId } from "../store/derived-store.js";
import type { SqliteDatabase } from "../store/gateway-database.js";
import { DEFAULT_DEVICE_SETTINGS, deviceSettingsSchema, type DeviceSettings } from "./device-settings.js";
import { mqttTokenHash, mqttTokenMatches, newMqttToken, type MqttCredentials } from "./mqtt-credentials.js";

/** active: frames accepted; inactive: refused until reactivated; decommissioned: refused for good, id never reused. */
export type DeviceStatus = "active" | "inactive" | "decommissioned";

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
  /**
   * The key the device just rotated away from, while frames it signed before switching may
   * still be on their way: accepted until its first frame under the new key (in memory only).
   */
  previousPublicKey?: KeyObject;
  readonly registeredAtMs: number;
  /** When the status last changed (deactivated, reactivated, decommissioned). */
  statusChangedAtMs: number | undefined;
  settings: DeviceSettings;
}

/** One key a device had, the key that replaced it and the proof of the handover. */
export interface KeyRotation {
  oldPublicKey: Uint8Array;
  newPublicKey: Uint8Array;
  /** The old key's signature of the handover (docs/wire-formats.md); undefined for a technician's recovery of a lost key. */
  handoverSignature: Uint8Array | undefined;
  oldLastCounter: bigint;
  newCounter: bigint;
  rotatedAtMs: number;
  actor: string;
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
  registered_at_ms: bigint;
  status_changed_at_ms: bigint | null;
  settings: string;
}

interface RotationRow {
  old_public_key: Buffer;
  new_public_key: Buffer;
  handover_signature: Buffer | null;
  old_last_counter: bigint;
  new_counter: bigint;
  rotated_at_ms: bigint;
  actor: string;
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

function checkedKey(deviceId: string, publicKeyPoint: Uint8Array): KeyObject {
  try {
    return p256KeyFromPoint(publicKeyPoint);
  } catch (cause) {
    throw new GatewayError(`the device's public key is refused: ${(cause as Error).message}`, { deviceId }, { cause });
  }
}

function checkedCounter(deviceId: string, counter: bigint): bigint {
  if (counter < 0n || counter > MAX_FRAME_COUNTER) {
    throw new GatewayError(`a counter is 0 to ${MAX_FRAME_COUNTER}`, { deviceId, counter: counter.toString() });
  }
  return counter;
}

/** The settings a row holds; a row written by an older gateway holds none. */
function settingsOf(json: string): DeviceSettings {
  const parsed = deviceSettingsSchema.safeParse(JSON.parse(json));
  return parsed.success ? parsed.data : DEFAULT_DEVICE_SETTINGS;
}

/**
 * The devices this gateway accepts frames from, cached in memory for the ingest path. Each
 * change is written together with its audit entry (before and after) in one transaction.
 */
export class DeviceRegistry {
  private readonly devices = new Map<string, RegisteredDevice>();
  private readonly mqttPasswordHashes = new Map<string, Buffer>();
  private readonly db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.db = db;
    const rows = db
      .prepare(
        `SELECT device_id, public_key, status, last_counter, mqtt_password_hash, registered_at_ms, status_changed_at_ms, settings
         FROM devices`,
      )
      .safeIntegers(true)
      .all() as DeviceRow[];
    for (const row of rows) {
      this.devices.set(row.device_id, {
        deviceId: row.device_id,
        publicKey: p256KeyFromPoint(row.public_key),
        publicKeyPoint: new Uint8Array(row.public_key),
        status: row.status,
        lastCounter: row.last_counter,
        registeredAtMs: Number(row.registered_at_ms),
        statusChangedAtMs: row.status_changed_at_ms === null ? undefined : Number(row.status_changed_at_ms),
        settings: settingsOf(row.settings),
      });
      if (row.mqtt_password_hash) this.mqttPasswordHashes.set(row.device_id, row.mqtt_password_hash);
    }
  }

  /**
   * Registers a device, or confirms one already registered with the same key. A
   * decommissioned device's id is never registered again.
   */
  register(deviceId: string, publicKeyPoint: Uint8Array, trail?: AuditTrail): RegisteredDevice {
    if (!isValidDeviceId(deviceId)) {
      throw new GatewayError("a device id is 1 to 31 characters of A-Z a-z 0-9 . _ -", { deviceId });
    }
    if (isDerivedDeviceId(deviceId)) throw new GatewayError("device ids starting with flow. belong to flows", { deviceId });
    const existing = this.devices.get(deviceId);
    if (existing) {
      if (existing.status === "decommissioned") {
        throw new ConflictError(
          `device ${deviceId} was decommissioned on ${new Date(existing.statusChangedAtMs ?? 0).toISOString()}; its id is not used again`,
          { deviceId },
        );
      }
      if (Buffer.compare(existing.publicKeyPoint, publicKeyPoint) !== 0) {
        throw new ConflictError("device already registered with another key", { deviceId });
      }
      return existing;
    }
    const device: RegisteredDevice = {
      deviceId,
      publicKey: checkedKey(deviceId, publicKeyPoint),
      publicKeyPoint: new Uint8Array(publicKeyPoint),
      status: "active",
      lastCounter: 0n,
      registeredAtMs: Date.now(),
      statusChangedAtMs: undefined,
      settings: DEFAULT_DEVICE_SETTINGS,
    };
    this.db.transaction(() => {
      this.db
        .prepare(
          "INSERT INTO devices (device_id, public_key, status, last_counter, registered_at_ms) VALUES (?, ?, 'active', 0, ?)",
        )
        .run(deviceId, Buffer.from(publicKeyPoint), device.registeredAtMs);
      trail?.audit.record(trail.actor, "device.register", deviceId, {
        before: null,
        after: { publicKey: hex(publicKeyPoint), status: "active" },
      });
    })();
    this.devices.set(deviceId, device);
    return device;
  }

  /** Deactivates (frames refused) or reactivates a device; a decommissioned one stays so. */
  setStatus(deviceId: string, status: "active" | "inactive", trail: AuditTrail): RegisteredDevice {
    const device = this.changeable(deviceId);
    if (device.status === status) throw new ConflictError(`device ${deviceId} is ${status} already`, { deviceId });
    this.writeStatus(device, status, trail, status === "active" ? "device.reactivate" : "device.deactivate");
    return device;
  }

  /**
   * Takes a device out of service for good: its frames are refused, its MQTT login stops
   * working, its readings stay, and its id cannot be registered again.
   */
  decommission(deviceId: string, trail: AuditTrail, reason?: string): RegisteredDevice {
    const device = this.changeable(deviceId);
    this.writeStatus(device, "decommissioned", trail, "device.decommission", reason, () => {
      this.db.prepare("UPDATE devices SET mqtt_password_hash = NULL WHERE device_id = ?").run(deviceId);
    });
    this.mqttPasswordHashes.delete(deviceId);
    return device;
  }

  private writeStatus(
    device: RegisteredDevice,
    status: DeviceStatus,
    trail: AuditTrail,
    action: string,
    reason?: string,
    alongside?: () => void,
  ): void {
    const atMs = Date.now();
    this.db.transaction(() => {
      this.db
        .prepare("UPDATE devices SET status = ?, status_changed_at_ms = ? WHERE device_id = ?")
        .run(status, atMs, device.deviceId);
      alongside?.();
      trail.audit.record(trail.actor, action, device.deviceId, {
        before: { status: device.status },
        after: { status },
        ...(reason === undefined ? {} : { reason }),
      });
    })();
    device.status = status;
    device.statusChangedAtMs = atMs;
  }

  /** Replaces what a technician set for the device; returns the settings before. */
  updateSettings(deviceId: string, settings: DeviceSettings, trail: AuditTrail): DeviceSettings {
    const device = this.changeable(deviceId);
    const before = device.settings;
    this.db.transaction(() => {
      this.db.prepare("UPDATE devices SET settings = ? WHERE device_id = ?").run(JSON.stringify(settings), deviceId);
      trail.audit.record(trail.actor, "device.settings", deviceId, { before, after: settings });
    })();
    device.settings = settings;
    return before;
  }

  /**
   * Issues the device a new MQTT login (user name = device id), replacing any earlier one.
   * The token is returned once, for provisioning, and only its hash is kept. `password` is a
   * token made earlier (newMqttToken) that a device was already given over USB.
   */
  issueMqttCredentials(deviceId: string, trail?: AuditTrail, password = newMqttToken()): MqttCredentials {
    this.changeable(deviceId);
    const hash = mqttTokenHash(password);
    this.db.transaction(() => {
      this.db.prepare("UPDATE devices SET mqtt_password_hash = ? WHERE device_id = ?").run(hash, deviceId);
      trail?.audit.record(trail.actor, "device.mqtt-credentials.issue", deviceId, {
        before: { mqttLogin: this.mqttPasswordHashes.has(deviceId) },
        after: { mqttLogin: true },
      });
    })();
    this.mqttPasswordHashes.set(deviceId, hash);
    return { username: deviceId, password };
  }

  /** Whether `password` is the MQTT token last issued to the device. */
  checkMqttPassword(deviceId: string, password: Uint8Array | undefined): boolean {
    return mqttTokenMatches(this.mqttPasswordHashes.get(deviceId), password);
  }

  /** Whether the device has an MQTT login. */
  hasMqttLogin(deviceId: string): boolean {
    return this.mqttPasswordHashes.has(deviceId);
  }

  /**
   * Sets the counter the device's next frame must exceed, for a technician recovering a
   * device: one whose counter was set back (its storage was wiped) or moved ahead beyond
   * what the gateway accepts in one step. Audited.
   */
  resetCounter(deviceId: string, counter: bigint, trail: AuditTrail): void {
    const device = this.changeable(deviceId);
    checkedCounter(deviceId, counter);
    this.db.transaction(() => {
      this.db.prepare("UPDATE devices SET last_counter = ? WHERE device_id = ?").run(counter, deviceId);
      trail.audit.record(trail.actor, "device.counter.reset", deviceId, {
        before: { lastCounter: device.lastCounter.toString() },
        after: { lastCounter: counter.toString() },
      });
    })();
    device.lastCounter = counter;
    delete device.lastUptimeMs;
  }

  /**
   * Replaces the device's public key and sets its counter (0 unless given: a device that
   * lost its key usually lost its counter too). The old key is kept in the device's key
   * history with the handover signature, when the old key signed one. A key the device had
   * before is refused, so an old handover cannot be played again. Audited with both keys.
   * With `handover.acceptInFlight`, frames signed by the old key are still taken until the
   * device's first frame under the new one (see RegisteredDevice.previousPublicKey).
   */
  rotateKey(
    deviceId: string,
    publicKeyPoint: Uint8Array,
    trail: AuditTrail,
    counter = 0n,
    handover?: { signature: Uint8Array; acceptInFlight: boolean },
  ): RegisteredDevice {
    const handoverSignature = handover?.signature;
    const previous = this.changeable(deviceId);
    const publicKey = checkedKey(deviceId, publicKeyPoint);
    checkedCounter(deviceId, counter);
    const matchesNewKey = (key: Uint8Array) => Buffer.compare(key, publicKeyPoint) === 0;
    if (matchesNewKey(previous.publicKeyPoint) || this.keyHistory(deviceId).some((r) => matchesNewKey(r.oldPublicKey))) {
      throw new ConflictError(`device ${deviceId} had this key before; a rotation needs a new key`, { deviceId });
    }
    const atMs = Date.now();
    this.db.transaction(() => {
      this.db
        .prepare("UPDATE devices SET public_key = ?, last_counter = ? WHERE device_id = ?")
        .run(Buffer.from(publicKeyPoint), counter, deviceId);
      this.db
        .prepare(
          `INSERT INTO device_key_rotations (device_id, old_public_key, new_public_key, handover_signature,
             old_last_counter, new_counter, rotated_at_ms, actor) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          deviceId,
          Buffer.from(previous.publicKeyPoint),
          Buffer.from(publicKeyPoint),
          handoverSignature ? Buffer.from(handoverSignature) : null,
          previous.lastCounter,
          counter,
          atMs,
          trail.actor,
        );
      trail.audit.record(trail.actor, "device.key.rotate", deviceId, {
        before: { publicKey: hex(previous.publicKeyPoint), lastCounter: previous.lastCounter.toString() },
        after: { publicKey: hex(publicKeyPoint), lastCounter: counter.toString() },
        handover: handoverSignature ? hex(handoverSignature) : "none: recovery without the old key",
      });
    })();
    const rotated: RegisteredDevice = {
      ...previous,
      publicKey,
      publicKeyPoint: new Uint8Array(publicKeyPoint),
      lastCounter: counter,
    };
    // A counter that moves starts a new run of frames; one kept carries on, reboots and all.
    if (counter !== previous.lastCounter) delete rotated.lastUptimeMs;
    if (handover?.acceptInFlight) rotated.previousPublicKey = previous.publicKey;
    else delete rotated.previousPublicKey;
    this.devices.set(deviceId, rotated);
    return rotated;
  }

  /** The device's earlier keys, oldest first, each with the key that replaced it. */
  keyHistory(deviceId: string): KeyRotation[] {
    this.known(deviceId);
    const rows = this.db
      .prepare(
        `SELECT old_public_key, new_public_key, handover_signature, old_last_counter, new_counter, rotated_at_ms, actor
         FROM device_key_rotations WHERE device_id = ? ORDER BY id`,
      )
      .safeIntegers(true)
      .all(deviceId) as RotationRow[];
    return rows.map((row) => ({
      oldPublicKey: new Uint8Array(row.old_public_key),
      newPublicKey: new Uint8Array(row.new_public_key),
      handoverSignature: row.handover_signature === null ? undefined : new Uint8Array(row.handover_signature),
      oldLastCounter: row.old_last_counter,
      newCounter: row.new_counter,
      rotatedAtMs: Number(row.rotated_at_ms),
      actor: row.actor,
    }));
  }

  /** When each device's last frame was stored and over which transport (kept in the database across restarts). */
  lastSeen(): Map<string, { lastSeenMs: number; transport: string }> {
    const rows = this.db
      .prepare("SELECT device_id, last_seen_ms, last_transport FROM devices WHERE last_seen_ms IS NOT NULL")
      .all() as { device_id: string; last_seen_ms: number; last_transport: string }[];
    return new Map(rows.map((row) => [row.device_id, { lastSeenMs: row.last_seen_ms, transport: row.last_transport }]));
  }

  get(deviceId: string): RegisteredDevice | undefined {
    return this.devices.get(deviceId);
  }

  list(): RegisteredDevice[] {
    return [...this.devices.values()];
  }

  /** The device, which must be registered. */
  known(deviceId: string): RegisteredDevice {
    const device = this.devices.get(deviceId);
    if (!device) throw new NotFoundError(`device ${deviceId} is not registered`, { deviceId });
    return device;
  }

  /** The device, which must be registered and not decommissioned. */
  private changeable(deviceId: string): RegisteredDevice {
    const device = this.known(deviceId);
    if (device.status === "decommissioned") {
      throw new ConflictError(`device ${deviceId} is decommissioned; nothing about it changes any more`, { deviceId });
    }
    return device;
  }
}

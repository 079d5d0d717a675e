import { verifyKeyHandover } from "@intelledger/proto/key-handover";
import type { DeviceAdmission } from "../acceptance/device-admission.js";
import type { AuditLog } from "../auth/audit-log.js";
import { ConflictError, GatewayError } from "../errors.js";
import type { DeviceChange, LiveEvents } from "../live/live-events.js";
import type { DeviceActivity, DeviceActivitySnapshot } from "./device-activity.js";
import type { DeviceRegistry, DeviceStatus, KeyRotation, RegisteredDevice } from "./device-registry.js";
import type { DeviceSettings } from "./device-settings.js";
import type { MqttCredentials } from "./mqtt-credentials.js";

/** A device as the API shows it: its record and what it is doing now. */
export interface DeviceView {
  deviceId: string;
  status: DeviceStatus;
  /** 65-byte uncompressed P-256 point, hex. */
  publicKey: string;
  registeredAtMs: number;
  statusChangedAtMs: number | undefined;
  /** The counter its next frame must exceed, as a decimal string (a uint64). */
  lastCounter: string;
  /** Whether it has an MQTT login for the embedded broker. */
  mqttLogin: boolean;
  /** When its last frame was stored, and over which transport; kept across restarts. */
  lastSeenMs: number | undefined;
  transport: string | undefined;
  quarantine: { quarantined: boolean; remainingMs: number };
  activity: DeviceActivitySnapshot;
  settings: DeviceSettings;
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

/**
 * What technicians do with devices over the API: register, deactivate, reactivate, release
 * from quarantine, rotate a key on the old key's word, reset a counter, decommission, change
 * a device's settings. Each change is audited with its before and after (by the registry, in
 * the same transaction) and goes out on the live stream.
 */
export class DeviceLifecycle {
  private readonly deps: {
    registry: DeviceRegistry;
    admission: DeviceAdmission;
    activity: DeviceActivity;
    audit: AuditLog;
    live: LiveEvents;
    /** Puts a device's new data classes and thresholds in force (bounds are read at sealing). */
    onSettingsChanged: (device: RegisteredDevice, before: DeviceSettings) => Promise<void> | void;
  };

  constructor(deps: DeviceLifecycle["deps"]) {
    this.deps = deps;
  }

  private trail(actor: string) {
    return { audit: this.deps.audit, actor };
  }

  private changed(deviceId: string, state: DeviceChange): void {
    this.deps.live.publish({ type: "device", deviceId, state });
  }

  list(): DeviceView[] {
    const lastSeen = this.deps.registry.lastSeen();
    return this.deps.registry
      .list()
      .sort((a, b) => a.deviceId.localeCompare(b.deviceId))
      .map((device) => this.view(device, lastSeen.get(device.deviceId)));
  }

  /** The device's status, undefined when it is not registered. */
  statusOf(deviceId: string): DeviceStatus | undefined {
    return this.deps.registry.get(deviceId)?.status;
  }

  get(deviceId: string): DeviceView {
    return this.view(this.deps.registry.known(deviceId), this.deps.registry.lastSeen().get(deviceId));
  }

  private view(device: RegisteredDevice, seen: { lastSeenMs: number; transport: string } | undefined): DeviceView {
    const remainingMs = this.deps.admission.quarantineLeftMs(device.deviceId);
    return {
      deviceId: device.deviceId,
      status: device.status,
      publicKey: hex(device.publicKeyPoint),
      registeredAtMs: device.registeredAtMs,
      statusChangedAtMs: device.statusChangedAtMs,
      lastCounter: device.lastCounter.toString(),
      mqttLogin: this.deps.registry.hasMqttLogin(device.deviceId),
      lastSeenMs: seen?.lastSeenMs,
      transport: seen?.transport,
      quarantine: { quarantined: remainingMs > 0, remainingMs },
      activity: this.deps.activity.snapshot(device.deviceId),
      settings: device.settings,
    };
  }

  /** Registers a new device and issues its MQTT login, which is answered this once. */
  register(actor: string, deviceId: string, publicKey: Uint8Array): { device: DeviceView; mqttLogin: MqttCredentials } {
    const existing = this.deps.registry.get(deviceId);
    if (existing && existing.status !== "decommissioned") {
      throw new ConflictError(
        `device ${deviceId} is registered already; POST /api/devices/${deviceId}/mqtt-login issues it a new MQTT login`,
        { deviceId },
      );
    }
    this.deps.registry.register(deviceId, publicKey, this.trail(actor));
    const mqttLogin = this.deps.registry.issueMqttCredentials(deviceId, this.trail(actor));
    this.changed(deviceId, "registered");
    return { device: this.get(deviceId), mqttLogin };
  }

  /**
   * Takes a device that was just provisioned over USB and proved the key it reported:
   * registers it, or confirms it when it is registered with that key already. A device
   * registered with another key (its storage was wiped and it made a new one) is refused
   * unless `replaceKey`: the technician holding it vouches for the new key, which the
   * provisioning proof showed it holds. `mqttPassword` is the login it was given.
   */
  acceptProvisioned(
    actor: string,
    provisioned: { deviceId: string; publicKey: Uint8Array },
    options: { replaceKey: boolean; mqttPassword: string | undefined },
  ): { device: DeviceView; outcome: "registered" | "confirmed" | "key-replaced" } {
    const { deviceId, publicKey } = provisioned;
    const existing = this.deps.registry.get(deviceId);
    let outcome: "registered" | "confirmed" | "key-replaced" = "confirmed";
    if (!existing || existing.status === "decommissioned") {
      this.deps.registry.register(deviceId, publicKey, this.trail(actor));
      outcome = "registered";
    } else if (Buffer.compare(existing.publicKeyPoint, publicKey) !== 0) {
      if (!options.replaceKey) {
        throw new ConflictError(
          `device ${deviceId} is registered with another key; it made a new one (its storage was wiped?). ` +
            "Provision it again with replaceKey to take the new key, or under a new id",
          { deviceId },
        );
      }
      this.deps.registry.rotateKey(deviceId, publicKey, this.trail(actor));
      outcome = "key-replaced";
    }
    if (options.mqttPassword !== undefined)
      this.deps.registry.issueMqttCredentials(deviceId, this.trail(actor), options.mqttPassword);
    if (outcome !== "confirmed") this.changed(deviceId, outcome === "registered" ? "registered" : "key-rotated");
    return { device: this.get(deviceId), outcome };
  }

  issueMqttLogin(actor: string, deviceId: string): MqttCredentials {
    const login = this.deps.registry.issueMqttCredentials(deviceId, this.trail(actor));
    this.changed(deviceId, "mqtt-login-issued");
    return login;
  }

  deactivate(actor: string, deviceId: string): DeviceView {
    this.deps.registry.setStatus(deviceId, "inactive", this.trail(actor));
    this.changed(deviceId, "deactivated");
    return this.get(deviceId);
  }

  reactivate(actor: string, deviceId: string): DeviceView {
    this.deps.registry.setStatus(deviceId, "active", this.trail(actor));
    this.changed(deviceId, "reactivated");
    return this.get(deviceId);
  }

  /** Ends a quarantine early; the live stream reports it as `released`, as when one runs out. */
  release(actor: string, deviceId: string): DeviceView {
    this.deps.registry.known(deviceId);
    const remainingMs = this.deps.admission.quarantineLeftMs(deviceId);
    if (!this.deps.admission.release(deviceId)) throw new ConflictError(`device ${deviceId} is not in quarantine`, { deviceId });
    this.deps.audit.record(actor, "device.quarantine.release", deviceId, {
      before: { quarantined: true, remainingMs },
      after: { quarantined: false },
    });
    return this.get(deviceId);
  }

  /**
   * Takes the device's new key on the word of its current one: `handoverSignature` is the
   * current key's signature of the handover (docs/wire-formats.md, Key rotation). The new key
   * carries on from the device's counter unless `counter` says otherwise. Frames the device
   * signed with the old key before it switched are taken until its first frame under the new
   * key, unless `retireOldKeyNow` (the old key may have leaked).
   */
  rotateKey(
    actor: string,
    deviceId: string,
    change: {
      publicKey: Uint8Array;
      handoverSignature: Uint8Array;
      counter?: bigint | undefined;
      retireOldKeyNow?: boolean | undefined;
    },
  ): DeviceView {
    const device = this.deps.registry.known(deviceId);
    if (!verifyKeyHandover(device.publicKeyPoint, deviceId, change.publicKey, change.handoverSignature)) {
      throw new GatewayError(
        "the handover signature does not verify with the device's current key over this device id and new key",
        { deviceId },
      );
    }
    this.deps.registry.rotateKey(deviceId, change.publicKey, this.trail(actor), change.counter ?? device.lastCounter, {
      signature: change.handoverSignature,
      acceptInFlight: change.retireOldKeyNow !== true,
    });
    this.changed(deviceId, "key-rotated");
    return this.get(deviceId);
  }

  keyHistory(deviceId: string): KeyRotation[] {
    return this.deps.registry.keyHistory(deviceId);
  }

  resetCounter(actor: string, deviceId: string, counter: bigint): DeviceView {
    this.deps.registry.resetCounter(deviceId, counter, this.trail(actor));
    this.changed(deviceId, "counter-reset");
    return this.get(deviceId);
  }

  decommission(actor: string, deviceId: string, reason: string | undefined): DeviceView {
    this.deps.registry.decommission(deviceId, this.trail(actor), reason);
    this.deps.admission.release(deviceId);
    this.changed(deviceId, "decommissioned");
    return this.get(deviceId);
  }

  async updateSettings(actor: string, deviceId: string, settings: DeviceSettings): Promise<DeviceView> {
    const before = this.deps.registry.updateSettings(deviceId, settings, this.trail(actor));
    await this.deps.onSettingsChanged(this.deps.registry.known(deviceId), before);
    this.changed(deviceId, "settings-changed");
    return this.get(deviceId);
  }
}

import { p256KeyFromPoint } from "@intelledger/proto/p256";
import { z } from "zod";
import { REJECTION_REASONS } from "../acceptance/frame-acceptor.js";
import type { DeviceLifecycle } from "../devices/device-lifecycle.js";
import { MAX_FRAME_COUNTER, type KeyRotation } from "../devices/device-registry.js";
import { deviceSettingsSchema } from "../devices/device-settings.js";
import { RequestValidationError, type ApiRoutes, type RouteGroup } from "./api-routes.js";

export const deviceId = z.string().regex(/^[A-Za-z0-9._-]{1,31}$/, "must be 1 to 31 characters of A-Z a-z 0-9 . _ -");
const byDevice = z.strictObject({ deviceId });

const hexBytes = (bytes: number, what: string) =>
  z
    .string()
    .regex(new RegExp(`^(0x)?[0-9a-fA-F]{${bytes * 2}}$`), `must be ${what} (${bytes} bytes) in hex`)
    .transform((text) => new Uint8Array(Buffer.from(text.replace(/^0x/, ""), "hex")));

/** A P-256 public key as its 65-byte uncompressed point in hex, checked to lie on the curve. */
export const publicKeyHex = hexBytes(65, "the uncompressed P-256 point 04 || X || Y").superRefine((point, context) => {
  try {
    p256KeyFromPoint(point);
  } catch (error) {
    context.addIssue({ code: "custom", message: (error as Error).message });
  }
});

/** A uint64 counter: a decimal string (any size the gateway keeps) or a safe integer. */
const counter = z
  .union([z.string().regex(/^\d{1,19}$/, "must be a decimal number"), z.number().int().min(0).max(Number.MAX_SAFE_INTEGER)])
  .transform((value) => BigInt(value))
  .refine((value) => value <= MAX_FRAME_COUNTER, `must be at most ${MAX_FRAME_COUNTER}`);

const comment = z.strictObject({ comment: z.string().max(500).optional() });

const mqttLogin = z.object({ username: z.string(), password: z.string() });

export const deviceView = z.object({
  deviceId: z.string(),
  status: z.enum(["active", "inactive", "decommissioned"]),
  publicKey: z.string(),
  registeredAtMs: z.number(),
  statusChangedAtMs: z.number().optional(),
  lastCounter: z.string(),
  mqttLogin: z.boolean(),
  lastSeenMs: z.number().optional(),
  transport: z.string().optional(),
  quarantine: z.object({ quarantined: z.boolean(), remainingMs: z.number() }),
  activity: z.object({
    sinceMs: z.number(),
    framesAccepted: z.number(),
    readingsAccepted: z.number(),
    framesMissed: z.number(),
    readingsOutsideBounds: z.number(),
    rejected: z.partialRecord(z.enum(REJECTION_REASONS), z.number()),
    readingsPerSecond: z.number(),
  }),
  settings: deviceSettingsSchema,
});

const keyRecord = z.object({
  oldPublicKey: z.string(),
  newPublicKey: z.string(),
  handoverSignature: z.string().optional(),
  oldLastCounter: z.string(),
  newCounter: z.string(),
  rotatedAtMs: z.number(),
  actor: z.string(),
});

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

function keyRecordJson(rotation: KeyRotation): z.input<typeof keyRecord> {
  return {
    oldPublicKey: hex(rotation.oldPublicKey),
    newPublicKey: hex(rotation.newPublicKey),
    ...(rotation.handoverSignature && { handoverSignature: hex(rotation.handoverSignature) }),
    oldLastCounter: rotation.oldLastCounter.toString(),
    newCounter: rotation.newCounter.toString(),
    rotatedAtMs: rotation.rotatedAtMs,
    actor: rotation.actor,
  };
}

/**
 * /api/devices: the device lifecycle. Anyone logged in lists devices with what they are doing;
 * technicians register, deactivate, reactivate, release, rotate keys, reset counters,
 * decommission and set each device's bounds, data classes and thresholds, all audited.
 */
export function deviceAdminRoutes(api: ApiRoutes, devices: DeviceLifecycle): RouteGroup {
  const routes = api.under("/api/devices");

  routes.add({
    method: "get",
    path: "/",
    summary: "Every device with its live state: transport, last seen, frames, refusals by reason, quarantine, rate",
    access: "viewer",
    response: z.array(deviceView),
    handle: () => devices.list(),
  });

  routes.add({
    method: "post",
    path: "/",
    summary: "Registers a device by its id and P-256 public key; answers its MQTT login, this once",
    description:
      "publicKey is the 65-byte uncompressed point (04 || X || Y) in hex. The answer's mqttLogin is the device's user " +
      "name and password on the gateway's broker; only its hash is kept. A decommissioned id is refused (409).",
    access: "technician",
    body: z.strictObject({ deviceId, publicKey: publicKeyHex }),
    response: z.object({ device: deviceView, mqttLogin }),
    status: 201,
    handle: ({ principal, body }) => devices.register(principal.username, body.deviceId, body.publicKey),
  });

  routes.add({
    method: "get",
    path: "/:deviceId",
    summary: "One device with its live state and settings",
    access: "viewer",
    params: byDevice,
    response: deviceView,
    handle: ({ params }) => devices.get(params.deviceId),
  });

  routes.add({
    method: "get",
    path: "/:deviceId/keys",
    summary: "The device's earlier keys, oldest first, each with its successor and the handover signature",
    access: "viewer",
    params: byDevice,
    response: z.object({ current: z.string(), rotations: z.array(keyRecord) }),
    handle: ({ params }) => ({
      current: devices.get(params.deviceId).publicKey,
      rotations: devices.keyHistory(params.deviceId).map(keyRecordJson),
    }),
  });

  const change = (
    path: string,
    summary: string,
    act: (actor: string, id: string) => ReturnType<DeviceLifecycle["get"]>,
    description?: string,
  ) =>
    routes.add({
      method: "post",
      path: `/:deviceId/${path}`,
      summary,
      ...(description && { description }),
      access: "technician",
      params: byDevice,
      body: comment,
      response: deviceView,
      handle: ({ principal, params }) => act(principal.username, params.deviceId),
    });

  change("deactivate", "Refuses the device's frames until it is reactivated", (actor, id) => devices.deactivate(actor, id));
  change("reactivate", "Accepts the device's frames again", (actor, id) => devices.reactivate(actor, id));
  change("release", "Ends the device's quarantine now; 409 when it is not in quarantine", (actor, id) =>
    devices.release(actor, id),
  );

  routes.add({
    method: "post",
    path: "/:deviceId/mqtt-login",
    summary: "Issues the device a new MQTT login (answered this once); the old one stops working",
    access: "technician",
    params: byDevice,
    body: comment,
    response: mqttLogin,
    handle: ({ principal, params }) => devices.issueMqttLogin(principal.username, params.deviceId),
  });

  routes.add({
    method: "post",
    path: "/:deviceId/rotate-key",
    summary: "Replaces the device's key with one its current key signed over (see Key rotation in docs/wire-formats.md)",
    description:
      "signature is ECDSA P-256 by the current key, r || s in hex, over SHA-256 of 'IntelLedger Edge key rotation v1' || " +
      "uint8 length of the device id || device id || the new 65-byte point. The old key stays in the device's key " +
      "history. counter (a decimal string) is what the new key's first frame must exceed; the device's counter by default. " +
      "Frames the device signed with its old key before switching are still taken until its first frame under the new key, " +
      "unless retireOldKeyNow (when the old key may have leaked).",
    access: "technician",
    params: byDevice,
    body: z.strictObject({
      publicKey: publicKeyHex,
      signature: hexBytes(64, "the ECDSA signature r || s"),
      counter: counter.optional(),
      retireOldKeyNow: z.boolean().default(false),
      comment: z.string().max(500).optional(),
    }),
    response: deviceView,
    handle: ({ principal, params, body }) =>
      devices.rotateKey(principal.username, params.deviceId, {
        publicKey: body.publicKey,
        handoverSignature: body.signature,
        counter: body.counter,
        retireOldKeyNow: body.retireOldKeyNow,
      }),
  });

  routes.add({
    method: "post",
    path: "/:deviceId/reset-counter",
    summary: "Sets the counter the device's next frame must exceed (a device whose storage was wiped starts again at 1)",
    access: "technician",
    params: byDevice,
    body: z.strictObject({ counter, comment: z.string().max(500).optional() }),
    response: deviceView,
    handle: ({ principal, params, body }) => devices.resetCounter(principal.username, params.deviceId, body.counter),
  });

  routes.add({
    method: "post",
    path: "/:deviceId/decommission",
    summary: "Takes the device out of service for good: frames refused, MQTT login gone, readings kept, id never reused",
    description: "confirm must repeat the device id.",
    access: "technician",
    params: byDevice,
    body: z.strictObject({ confirm: deviceId, reason: z.string().max(500).optional() }),
    response: deviceView,
    handle: ({ principal, params, body }) => {
      if (body.confirm !== params.deviceId) {
        throw new RequestValidationError([{ path: "body.confirm", message: `must repeat the device id, ${params.deviceId}` }]);
      }
      return devices.decommission(principal.username, params.deviceId, body.reason);
    },
  });

  routes.add({
    method: "put",
    path: "/:deviceId/settings",
    summary: "Replaces the device's stream bounds, data classes and anomaly thresholds (fields left out take their defaults)",
    description:
      "streamBounds: [{channel, index?, min, max}] in the channel's unit; batches commit a stream with its bounds (and the " +
      "batch proof proves its values lie within them) whenever all the batch's readings of that stream do. dataClasses: " +
      "{channel: 0..15}, over storage.dataClasses. thresholds: {default?, channels: {channel: score}}, over " +
      "inference.thresholds.devices.<id>.",
    access: "technician",
    params: byDevice,
    body: deviceSettingsSchema,
    response: deviceView,
    handle: ({ principal, params, body }) => devices.updateSettings(principal.username, params.deviceId, body),
  });

  return routes;
}

import { X509Certificate } from "node:crypto";
import { z } from "zod";
import {
  PROVISIONING_STEPS,
  ProvisioningRequestError,
  type DeviceProvisioning,
  type ProvisioningJob,
} from "../devices/device-provisioning.js";
import { NotFoundError, RequestValidationError, type ApiRoutes, type RouteGroup } from "./api-routes.js";
import { deviceId, deviceView } from "./device-admin-routes.js";

/** A PEM certificate, handed to the device as DER. */
const pemCertificate = z
  .string()
  .max(8_000)
  .transform((pem, context) => {
    try {
      return new Uint8Array(new X509Certificate(pem).raw);
    } catch {
      context.addIssue({ code: "custom", message: "must be one certificate in PEM" });
      return z.NEVER;
    }
  });

const provisionBody = z.strictObject({
  /** A path GET /api/serial-ports lists. */
  port: z.string().min(1).max(300),
  deviceId,
  samplingIntervalMs: z.number().int().default(1_000),
  link: z
    .discriminatedUnion("kind", [
      z.strictObject({ kind: z.literal("serial") }),
      z.strictObject({ kind: z.literal("ble") }),
      z.strictObject({
        kind: z.literal("wifiMqtt"),
        wifiSsid: z.string(),
        wifiPassword: z.string().default(""),
        /** How the device reaches the gateway's broker; the host name this request was sent to by default. */
        mqttHost: z.string().optional(),
        /** The embedded broker's port by default. */
        mqttPort: z.number().int().optional(),
        /** The CA the broker's certificate chains to: MQTT over TLS. */
        mqttCaCertificate: pemCertificate.optional(),
      }),
    ])
    .default({ kind: "serial" }),
  replaceKey: z.boolean().default(false),
  timeoutMs: z.number().int().min(1_000).max(60_000).default(10_000),
});

const job = z.object({
  job: z.string(),
  port: z.string(),
  deviceId: z.string(),
  link: z.enum(["serial", "ble", "wifiMqtt"]),
  actor: z.string(),
  state: z.enum(["running", "succeeded", "failed"]),
  startedAtMs: z.number(),
  finishedAtMs: z.number().optional(),
  steps: z.array(
    z.object({
      step: z.enum(PROVISIONING_STEPS),
      state: z.enum(["running", "done", "failed"]),
      atMs: z.number(),
      detail: z.string(),
    }),
  ),
  result: z
    .object({ device: deviceView, firmwareVersion: z.string(), outcome: z.enum(["registered", "confirmed", "key-replaced"]) })
    .optional(),
  error: z
    .object({
      code: z.enum(["invalid_settings", "wrong_port", "device_busy", "no_answer", "bad_signature", "refused", "conflict"]),
      message: z.string(),
    })
    .optional(),
});

/** A job as JSON: its fields without the ones not set. */
function jobJson(run: ProvisioningJob): z.input<typeof job> {
  return JSON.parse(JSON.stringify(run)) as z.input<typeof job>;
}

/**
 * USB provisioning from the gateway: POST /api/devices/provision starts a run on one of the
 * gateway's serial ports and answers its job; GET /api/devices/provision/:job follows it.
 */
export function provisioningRoutes(api: ApiRoutes, provisioning: DeviceProvisioning): RouteGroup {
  const runs = api.under("/api/devices/provision");

  runs.add({
    method: "post",
    path: "/",
    summary: "Provisions the device plugged into one of the gateway's serial ports, then registers it; answers the run's job",
    description:
      "The gateway sends the device its id, the gateway's command key, the link (serial, ble, or wifiMqtt with the MQTT " +
      "login the gateway issues it) and the sampling interval, checks the device's signature over the request and its " +
      "nonce, and registers the key the device reported. Follow the job at GET /api/devices/provision/{job}: steps " +
      "check, exchange, verify, register; a failed run names its code (wrong_port, device_busy, no_answer, refused, " +
      "bad_signature, conflict).",
    access: "technician",
    body: provisionBody,
    response: job,
    status: 202,
    handle: ({ principal, body, req }) => {
      const { link } = body;
      try {
        return jobJson(
          provisioning.start(principal.username, {
            ...body,
            link:
              link.kind === "wifiMqtt"
                ? {
                    ...link,
                    mqttHost: link.mqttHost ?? req.hostname,
                    mqttPort: link.mqttPort,
                    mqttCaCertificate: link.mqttCaCertificate,
                  }
                : link,
          }),
        );
      } catch (error) {
        if (error instanceof ProvisioningRequestError) {
          throw new RequestValidationError([{ path: `body.${error.field}`, message: error.message }]);
        }
        throw error;
      }
    },
  });

  runs.add({
    method: "get",
    path: "/command-key",
    summary: "The gateway's command key, for a tool that provisions a device on a serial port of its own",
    description:
      "A provisioning request carries the key the gateway signs commands with (the 65-byte uncompressed P-256 point, " +
      "hex). A tool that runs the exchange itself (the desktop console, on the technician's USB port) puts this key in " +
      "the request, then registers the key the device answered with at POST /api/devices.",
    access: "technician",
    response: z.object({ commandPublicKey: z.string() }),
    handle: () => ({ commandPublicKey: Buffer.from(provisioning.commandPublicKey).toString("hex") }),
  });

  runs.add({
    method: "get",
    path: "/:job",
    summary: "A provisioning run: its state, its steps so far, the device it registered or why it failed",
    access: "technician",
    params: z.strictObject({ job: z.uuid() }),
    response: job,
    handle: ({ params }) => {
      const run = provisioning.job(params.job);
      if (!run) throw new NotFoundError(`no provisioning run ${params.job} (runs are kept in memory, the last hundred)`);
      return jobJson(run);
    },
  });

  return runs;
}

/** GET /api/serial-ports: where a device can be provisioned. */
export function serialPortRoutes(api: ApiRoutes, provisioning: DeviceProvisioning): RouteGroup {
  const ports = api.under("/api/serial-ports");
  ports.add({
    method: "get",
    path: "/",
    summary: "The gateway's serial ports a device can be provisioned on",
    description:
      "USB serial adapters (/dev/serial/by-id, /dev/ttyUSB*, /dev/ttyACM*), the ports serial.ports names and those the " +
      "serial transport holds open (ingest: true; provisioning shares the line with it).",
    access: "technician",
    response: z.array(z.object({ path: z.string(), ingest: z.boolean(), provisioningJob: z.string().optional() })),
    handle: () => provisioning.ports(),
  });

  return ports;
}

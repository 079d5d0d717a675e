import { z } from "zod";
import { DEVICE_ACTIONS } from "./bridge-constants.js";

/**
 * The schema each bridge request's input must pass. The main process checks every input
 * against these before a service sees it; the renderer gets the same messages back.
 */

const gatewayUrl = z
  .string()
  .max(300)
  .url("must be a URL such as http://gateway.local:8080")
  .refine((url) => /^https?:\/\//.test(url), "must start with http:// or https://");
const deviceId = z.string().regex(/^[A-Za-z0-9._-]{1,31}$/, "must be 1 to 31 characters of A-Z a-z 0-9 . _ -");
const username = z.string().min(1, "is required").max(64);
const password = z.string().min(1, "is required").max(256);
const empty = z.strictObject({});
const gatewaySeq = z.number().int().min(1, "must be a reading's number, 1 or more");
const chainUrl = z
  .string()
  .max(300)
  .url("must be a URL such as http://127.0.0.1:8545")
  .refine((url) => /^https?:\/\//.test(url), "must start with http:// or https://");

export const bridgeInputs = {
  "discovery.browse": z.strictObject({ timeoutMs: z.number().int().min(200).max(30_000) }),
  "discovery.probe": z.strictObject({ address: z.string().min(1, "is required").max(300) }),
  "profiles.list": empty,
  "profiles.forget": z.strictObject({ id: z.string().max(100) }),
  "session.pair": z.strictObject({ gatewayUrl, code: z.string().min(1, "is required").max(64), username, password }),
  "session.login": z.strictObject({ gatewayUrl, username, password }),
  "session.open": z.strictObject({ id: z.string().max(100) }),
  "session.close": empty,
  "gateway.status": empty,
  "devices.list": empty,
  "devices.action": z.strictObject({ deviceId, action: z.enum(DEVICE_ACTIONS), reason: z.string().max(500).optional() }),
  "devices.settings": z.strictObject({
    deviceId,
    settings: z.strictObject({
      streamBounds: z.array(
        z.strictObject({
          channel: z.string().max(32),
          index: z.number().int().min(0).max(255).optional(),
          min: z.number(),
          max: z.number(),
        }),
      ),
      dataClasses: z.record(z.string().max(32), z.number().int().min(0).max(15)),
      thresholds: z.strictObject({
        default: z.number().positive().optional(),
        channels: z.record(z.string().max(32), z.number().positive()),
      }),
    }),
  }),
  "devices.rotateKey": z.strictObject({
    deviceId,
    publicKey: z.string().regex(/^(0x)?04[0-9a-fA-F]{128}$/, "must be the new key, 65 bytes in hex starting with 04"),
    signature: z.string().regex(/^(0x)?[0-9a-fA-F]{128}$/, "must be the old key's signature, r ‖ s, 64 bytes in hex"),
    retireOldKeyNow: z.boolean(),
  }),
  "devices.command": z.strictObject({
    deviceId,
    action: z.discriminatedUnion("type", [
      z.strictObject({ type: z.literal("setSamplingInterval"), intervalMs: z.number().int().min(10).max(86_400_000) }),
      z.strictObject({ type: z.literal("reboot") }),
    ]),
  }),
  "nodeRed.get": empty,
  "inference.get": empty,
  "inference.swap": z.strictObject({ version: z.number().int().min(1) }),
  "config.get": empty,
  "config.schema": empty,
  "config.validate": z.strictObject({ config: z.record(z.string(), z.unknown()) }),
  "config.diff": z.strictObject({ config: z.record(z.string(), z.unknown()) }),
  "config.apply": z.strictObject({ config: z.record(z.string(), z.unknown()), comment: z.string().max(500).optional() }),
  "config.history": empty,
  "config.revert": z.strictObject({ revision: z.number().int().min(1) }),
  "uplink.enroll": z.strictObject({
    relayAddress: z.string().min(1, "is required").max(300),
    token: z.string().min(1, "is required").max(500),
    relayCaFingerprint: z.string().min(1, "is required").max(200),
  }),
  "audit.list": z.strictObject({ limit: z.number().int().min(1).max(500) }),
  "proofs.batches": z.strictObject({
    limit: z.number().int().min(1).max(500),
    beforeSequence: z.number().int().min(1).optional(),
  }),
  "proofs.receipt": z.strictObject({ gatewaySeq }),
  "proofs.verify": z.strictObject({ gatewaySeq, rpcUrl: chainUrl.optional() }),
  "usb.ports": empty,
  "usb.provision": z.strictObject({
    port: z.string().min(1, "pick a port").max(300),
    deviceId,
    samplingIntervalMs: z.number().int().min(100).max(3_600_000),
    link: z.enum(["serial", "ble"]),
    timeoutMs: z.number().int().min(1_000).max(60_000).optional(),
  }),
  "live.start": z.strictObject({ maxReadingsPerSecond: z.number().int().min(1).max(5_000).optional() }),
  "live.stop": empty,
} as const;

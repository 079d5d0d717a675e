import { SerialPort } from "serialport";
import { DeviceMessage, GatewayMessage } from "./gen/intelledger/device/v1/link.js";
import { ProvisionRequest } from "./gen/intelledger/device/v1/provisioning.js";
import {
  encodeProvisionRequest,
  ProvisioningError,
  verifyProvisionResponse,
  type ProvisionedDevice,
  type ProvisioningSettings,
} from "./provisioning.js";
import { encodeSerialPacket, PACKET_DELIMITER, SerialPacketDecoder } from "./serial-framing.js";

/**
 * USB provisioning, the technician's side of the exchange: send a ProvisionRequest over the
 * serial framing, wait for the device's ProvisionResponse and check it.
 */

/** Payloads of the serial framing in both directions, on whatever carries them. */
export interface PacketChannel {
  send(payload: Uint8Array): Promise<void>;
  /** Calls `listener` with every payload that arrives; the returned function stops it. */
  subscribe(listener: (payload: Uint8Array) => void): () => void;
}

export interface ProvisioningExchangeOptions {
  /** How long to wait for the device's answer in all (default 10 s). */
  timeoutMs?: number;
  /** The same request is sent again at this interval until answered (default 1 s): its first copy may meet a device still booting. */
  resendIntervalMs?: number;
  /** The request's nonce; random by default. */
  nonce?: Uint8Array;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_RESEND_INTERVAL_MS = 1_000;

/**
 * Runs one provisioning exchange over a packet channel: resolves with the provisioned device
 * once its answer verifies; rejects with a ProvisioningError (`invalid_settings`, `no_answer`,
 * `refused`, `bad_signature`).
 */
export async function exchangeProvisioning(
  channel: PacketChannel,
  settings: ProvisioningSettings,
  options: ProvisioningExchangeOptions = {},
): Promise<ProvisionedDevice> {
  const requestBytes = options.nonce ? encodeProvisionRequest(settings, options.nonce) : encodeProvisionRequest(settings);
  const { nonce } = ProvisionRequest.decode(requestBytes);
  const message = GatewayMessage.encode({ body: { $case: "provisionRequest", value: requestBytes } }).finish();
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const seen = { payloads: 0, frames: 0 };
  return await new Promise<ProvisionedDevice>((resolve, reject) => {
    let settled = false;
    const finish = (outcome: () => ProvisionedDevice) => {
      if (settled) return;
      settled = true;
      clearInterval(resender);
      clearTimeout(timer);
      unsubscribe();
      try {
        resolve(outcome());
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    };
    const unsubscribe = channel.subscribe((payload) => {
      seen.payloads++;
      let answer: DeviceMessage;
      try {
        answer = DeviceMessage.decode(payload);
      } catch {
        return;
      }
      if (answer.body?.$case === "signedFrame") seen.frames++;
      if (answer.body?.$case !== "provisionResponse") return;
      const response = answer.body.value;
      // An answer to an earlier request (a resend, another tool) is not ours; an empty nonce
      // means the device could not read the request at all.
      if (response.nonce.length > 0 && Buffer.compare(response.nonce, nonce) !== 0) return;
      finish(() => verifyProvisionResponse(requestBytes, response));
    });
    const send = () =>
      channel.send(message).catch((error: unknown) =>
        finish(() => {
          throw new ProvisioningError("no_answer", "the port failed while sending the request", {}, { cause: error });
        }),
      );
    const resender = setInterval(() => void send(), options.resendIntervalMs ?? DEFAULT_RESEND_INTERVAL_MS);
    const timer = setTimeout(
      () =>
        finish(() => {
          const heard =
            seen.payloads === 0
              ? "nothing in the serial framing arrived"
              : `${seen.payloads} packets arrived (${seen.frames} of them frames), none answering the request`;
          throw new ProvisioningError("no_answer", `no provisioning answer within ${timeoutMs} ms: ${heard}`, {
            ...seen,
            timeoutMs,
          });
        }),
      timeoutMs,
    );
    void send();
  });
}

function openError(path: string, error: Error): ProvisioningError {
  const message = error.message;
  if (/lock|busy|temporarily unavailable/i.test(message)) {
    return new ProvisioningError("device_busy", `${path} is in use by another program (${message})`, { path }, { cause: error });
  }
  return new ProvisioningError(
    "wrong_port",
    `${path} is no serial port that can be opened (${message})`,
    { path },
    { cause: error },
  );
}

/**
 * Provisions the device on a serial port: opens the port (exclusively), runs the exchange,
 * closes the port. Errors: `wrong_port` (no such port, not a tty), `device_busy` (held by
 * another program), `no_answer`, `refused`, `bad_signature`, `invalid_settings`.
 */
export async function provisionOverSerial(
  path: string,
  settings: ProvisioningSettings,
  options: ProvisioningExchangeOptions & { baudRate?: number } = {},
): Promise<ProvisionedDevice> {
  const port = new SerialPort({ path, baudRate: options.baudRate ?? 115_200, autoOpen: false, lock: true });
  await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(openError(path, error)) : resolve())));
  const decoder = new SerialPacketDecoder();
  const listeners = new Set<(payload: Uint8Array) => void>();
  port.on("data", (chunk: Buffer) => {
    for (const packet of decoder.push(chunk)) if (packet.ok) for (const listener of listeners) listener(packet.payload);
  });
  const write = (bytes: Uint8Array) =>
    new Promise<void>((resolve, reject) =>
      port.write(Buffer.from(bytes), (error) =>
        error ? reject(error) : port.drain((drained) => (drained ? reject(drained) : resolve())),
      ),
    );
  try {
    // A lone delimiter ends whatever partial packet the device holds (boot output, line noise).
    await write(Uint8Array.of(PACKET_DELIMITER));
    return await exchangeProvisioning(
      {
        send: (payload) => write(encodeSerialPacket(payload)),
        subscribe: (listener) => {
          listeners.add(listener);
          return () => listeners.delete(listener);
        },
      },
      settings,
      options,
    );
  } finally {
    await new Promise<void>((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve()));
  }
}

export {
  checkProvisioningSettings,
  encodeProvisionRequest,
  isP256Point,
  PROVISIONING_PROOF_TAG,
  ProvisioningError,
  provisioningProof,
  verifyProvisionResponse,
} from "./provisioning.js";
export type { ProvisionedDevice, ProvisioningErrorCode, ProvisioningLink, ProvisioningSettings } from "./provisioning.js";

// How device frames and gateway commands are signed and carried, and how the test vectors name their
// fields: shared by scripts/generate-test-vectors.ts, which writes the vectors, and src/test-vectors.test.ts,
// which checks them.
import type { BinaryWriter } from "@bufbuild/protobuf/wire";
import {
  DeviceCommand,
  DeviceFrame,
  type MessageFns,
  SignedCommand,
  SignedFrame,
} from "../src/gen/intelledger/device/v1/frame.js";
import { DeviceMessage, GatewayMessage } from "../src/gen/intelledger/device/v1/link.js";

/**
 * Frames and commands travel alike: the encoded message and its signature are sealed in its Signed*
 * message under `field`, which is carried in the signed<Field> case of the body of the message its
 * sender sends on serial and BLE (DeviceMessage or GatewayMessage).
 */
export interface SignedKind<T, Field extends string, Sender extends string> {
  codec: MessageFns<T>;
  field: Field;
  envelope: MessageFns<Record<Field, Uint8Array> & { signature: Uint8Array }>;
  carrier: {
    encode(message: { body: { $case: `signed${Capitalize<Field>}`; value: Uint8Array } }): BinaryWriter;
    decode(bytes: Uint8Array): { body?: { $case: string; value: unknown } | undefined };
  };
  sender: Sender;
}

export const frameKind: SignedKind<DeviceFrame, "frame", "device"> = {
  codec: DeviceFrame,
  field: "frame",
  envelope: SignedFrame,
  carrier: DeviceMessage,
  sender: "device",
};

export const commandKind: SignedKind<DeviceCommand, "command", "gateway"> = {
  codec: DeviceCommand,
  field: "command",
  envelope: SignedCommand,
  carrier: GatewayMessage,
  sender: "gateway",
};

/** The case of the carrier's body that holds the Signed* message: signedFrame for frames. */
export function bodyCaseOf<Field extends string>(field: Field) {
  return `signed${field.charAt(0).toUpperCase()}${field.slice(1)}` as `signed${Capitalize<Field>}`;
}

/** The hex fields of a vector, named after its kind, as frameHex, signedFrameHex and deviceMessageHex. */
export type SignedVectorHex<Field extends string, Sender extends string> = Record<
  `${Field}Hex` | "signatureHex" | `signed${Capitalize<Field>}Hex` | `${Sender}MessageHex` | "serialWireHex",
  string
>;

/** A vector of a signed message: its name, the message as JSON under `field`, and the hex fields. */
export type SignedVector<Field extends string, Sender extends string> = { name: string } & Record<Field, unknown> &
  SignedVectorHex<Field, Sender>;

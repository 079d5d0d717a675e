import { generateKeyPairSync } from "node:crypto";
import { p256 } from "@noble/curves/nist.js";
import { describe, expect, it } from "vitest";
import { keyHandoverMessage, signKeyHandover, verifyKeyHandover } from "./key-handover.js";
import { p256PointOf } from "./p256-point.js";

const keyPair = () => generateKeyPairSync("ec", { namedCurve: "P-256" });

describe("the key handover", () => {
  const old = keyPair();
  const next = keyPair();
  const oldPoint = p256PointOf(old.publicKey);
  const newPoint = p256PointOf(next.publicKey);

  it("is the layout docs/wire-formats.md gives, byte for byte", () => {
    const byHand = Buffer.concat([
      Buffer.from("IntelLedger Edge key rotation v1"),
      Buffer.from([7]),
      Buffer.from("press-7"),
      newPoint,
    ]);
    expect(Buffer.from(keyHandoverMessage("press-7", newPoint))).toEqual(byHand);
    expect(byHand.length).toBe(32 + 1 + 7 + 65);
  });

  it("verifies with the old key, and an independent P-256 implementation agrees", () => {
    const signature = signKeyHandover(old.privateKey, "press-7", newPoint);
    expect(verifyKeyHandover(oldPoint, "press-7", newPoint, signature)).toBe(true);
    const message = Buffer.concat([
      Buffer.from("IntelLedger Edge key rotation v1"),
      Buffer.from([7]),
      Buffer.from("press-7"),
      newPoint,
    ]);
    expect(p256.verify(signature, message, oldPoint, { prehash: true, lowS: false })).toBe(true);
    const byNoble = p256.sign(message, Buffer.from(old.privateKey.export({ format: "jwk" }).d ?? "", "base64url"), {
      prehash: true,
    });
    expect(verifyKeyHandover(oldPoint, "press-7", newPoint, byNoble)).toBe(true);
  });

  it("fails for another device, another new key, another signer or a malformed signature", () => {
    const signature = signKeyHandover(old.privateKey, "press-7", newPoint);
    expect(verifyKeyHandover(oldPoint, "press-8", newPoint, signature)).toBe(false);
    expect(verifyKeyHandover(oldPoint, "press-7", p256PointOf(keyPair().publicKey), signature)).toBe(false);
    expect(verifyKeyHandover(newPoint, "press-7", newPoint, signature)).toBe(false);
    expect(verifyKeyHandover(oldPoint, "press-7", newPoint, signature.subarray(0, 63))).toBe(false);
    const flipped = Uint8Array.from(signature);
    flipped[10] = (flipped[10] as number) ^ 1;
    expect(verifyKeyHandover(oldPoint, "press-7", newPoint, flipped)).toBe(false);
  });

  it("refuses ids and points outside the wire format", () => {
    expect(() => keyHandoverMessage("bad id", newPoint)).toThrow(/device id/);
    expect(() => keyHandoverMessage("x".repeat(32), newPoint)).toThrow(/device id/);
    expect(() => keyHandoverMessage("press-7", newPoint.subarray(1))).toThrow(/65-byte/);
  });
});

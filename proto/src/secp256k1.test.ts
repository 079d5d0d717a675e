import { getBytes, keccak256, SigningKey, toUtf8Bytes, Wallet } from "ethers";
import { describe, expect, it } from "vitest";
import { recoverPublicKey as recoverInBrowser } from "./secp256k1.browser.js";
import { recoverPublicKey as recoverNatively } from "./secp256k1.js";

describe("public key recovery, natively in Node and through ethers in a browser", () => {
  it("gives the signer's key in both, and another key for the other recovery id", () => {
    for (let i = 0; i < 20; i++) {
      const wallet = Wallet.createRandom();
      const digest = getBytes(keccak256(toUtf8Bytes(`batch ${i}`)));
      const signature = getBytes(wallet.signingKey.sign(digest).serialized);
      const recoveryId = (signature[64] as number) - 27;
      expect(recoveryId === 0 || recoveryId === 1).toBe(true);
      const id = recoveryId as 0 | 1;
      const expected = SigningKey.computePublicKey(wallet.signingKey.publicKey, false);
      expect(recoverNatively(digest, signature.subarray(0, 64), id)).toBe(expected);
      expect(recoverInBrowser(digest, signature.subarray(0, 64), id)).toBe(expected);
      const other = (1 - id) as 0 | 1;
      expect(recoverInBrowser(digest, signature.subarray(0, 64), other)).toBe(
        recoverNatively(digest, signature.subarray(0, 64), other),
      );
      expect(recoverInBrowser(digest, signature.subarray(0, 64), other)).not.toBe(expected);
    }
  });
});

import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import type { SecretStorage } from "../../src/main/services/secret-storage.js";

/**
 * A SecretStorage that really encrypts (AES-256-GCM under a key held in memory), standing in
 * for the OS keychain behind Electron's safeStorage, which tests in Node do not have.
 */
export class AesSecretStorage implements SecretStorage {
  private readonly key = randomBytes(32);
  available = true;

  isEncryptionAvailable(): boolean {
    return this.available;
  }

  encryptString(plainText: string): Buffer {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.key, iv);
    const body = Buffer.concat([cipher.update(plainText, "utf8"), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]);
  }

  decryptString(encrypted: Buffer): string {
    const decipher = createDecipheriv("aes-256-gcm", this.key, encrypted.subarray(0, 12));
    decipher.setAuthTag(encrypted.subarray(12, 28));
    return Buffer.concat([decipher.update(encrypted.subarray(28)), decipher.final()]).toString("utf8");
  }
}

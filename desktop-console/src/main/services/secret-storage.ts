/**
 * What the console needs to keep API tokens: the shape of Electron's `safeStorage` (the OS
 * keychain on macOS, DPAPI on Windows, the Secret Service or KWallet on Linux). Tests use
 * another implementation that really encrypts.
 */
export interface SecretStorage {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
}

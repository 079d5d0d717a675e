import { randomUUID } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { ConnectionProfile } from "../../shared/bridge-types.js";
import type { SecretStorage } from "./secret-storage.js";

interface StoredProfile extends ConnectionProfile {
  /** The API token, encrypted by the secret storage, in base64. */
  encryptedToken: string;
}

/**
 * The gateways this console has a token for, in one JSON file of the user's data folder
 * (mode 0600). Tokens are encrypted by the OS keychain before they touch the disk, and
 * never leave the main process: the renderer sees profiles without them.
 */
export class ConnectionProfiles {
  constructor(
    private readonly file: string,
    private readonly secrets: SecretStorage,
  ) {}

  list(): ConnectionProfile[] {
    return this.read().map(({ encryptedToken: _, ...profile }) => profile);
  }

  /** Keeps a token for a gateway and account, replacing the one kept for the same pair. */
  save(gatewayUrl: string, username: string, token: string): ConnectionProfile {
    if (!this.secrets.isEncryptionAvailable()) {
      throw new Error(
        "this computer offers no encrypted storage for the gateway's token (on Linux: a Secret Service such as " +
          "GNOME Keyring or KWallet); start one and connect again",
      );
    }
    const profiles = this.read().filter((stored) => !(stored.gatewayUrl === gatewayUrl && stored.username === username));
    const profile: ConnectionProfile = { id: randomUUID(), gatewayUrl, username, savedAtMs: Date.now() };
    profiles.push({ ...profile, encryptedToken: this.secrets.encryptString(token).toString("base64") });
    this.write(profiles);
    return profile;
  }

  /** The profile and its decrypted token. */
  open(id: string): { profile: ConnectionProfile; token: string } {
    const stored = this.read().find((profile) => profile.id === id);
    if (!stored) throw new Error(`no saved connection ${id}: connect to the gateway again`);
    const { encryptedToken, ...profile } = stored;
    let token: string;
    try {
      token = this.secrets.decryptString(Buffer.from(encryptedToken, "base64"));
    } catch (error) {
      throw new Error(
        `the saved token for ${profile.gatewayUrl} cannot be decrypted on this account (${(error as Error).message}): ` +
          "forget this connection and log in again",
        { cause: error },
      );
    }
    return { profile, token };
  }

  forget(id: string): void {
    this.write(this.read().filter((profile) => profile.id !== id));
  }

  private read(): StoredProfile[] {
    let text: string;
    try {
      text = readFileSync(this.file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw error;
    }
    return (JSON.parse(text) as { profiles: StoredProfile[] }).profiles;
  }

  private write(profiles: StoredProfile[]): void {
    mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
    // Written aside and renamed, so a crash leaves the old file or the new one, never half of one.
    const partial = `${this.file}.partial`;
    writeFileSync(partial, JSON.stringify({ profiles }, null, 2), { mode: 0o600 });
    renameSync(partial, this.file);
  }
}

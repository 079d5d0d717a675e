import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * A device's MQTT login: its device id as user name and a random token the gateway issued as
 * password. The token carries 256 bits of entropy, so a fast hash is enough to keep it out of
 * a stolen database (nothing to brute-force); only the hash is stored. The prefix lets secret
 * scanners and people tell a device token from the admin API's tokens.
 */
const TOKEN_PREFIX = "ilm_";

export interface MqttCredentials {
  username: string;
  password: string;
}

export function newMqttToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString("base64url");
}

export function mqttTokenHash(token: string | Uint8Array): Buffer {
  return createHash("sha256").update(token).digest();
}

/** Whether a presented password is the token whose hash was stored; constant time. */
export function mqttTokenMatches(storedHash: Uint8Array | undefined, presented: Uint8Array | undefined): boolean {
  if (!storedHash || !presented) return false;
  return timingSafeEqual(mqttTokenHash(presented), storedHash);
}

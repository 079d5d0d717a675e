import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from "node:crypto";
import { GatewayError } from "../errors.js";

/**
 * scrypt cost: N = 2^15, r = 8, p = 3, one of OWASP's equivalent settings. It needs
 * 32 MiB per hash rather than the 128 MiB of N = 2^17, which a Pi-class gateway with
 * a 250 MB budget cannot spare.
 */
const DEFAULT_COST = { N: 2 ** 15, r: 8, p: 3 } as const;
const KEY_BYTES = 32;
const SALT_BYTES = 16;

function derive(password: string, salt: Buffer, cost: { N: number; r: number; p: number }): Promise<Buffer> {
  const options: ScryptOptions = { ...cost, maxmem: 256 * cost.N * cost.r };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize("NFC"), salt, KEY_BYTES, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/** Hashes a password into `scrypt$N$r$p$salt$key` (base64), so the cost can rise later without a migration. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, DEFAULT_COST);
  const { N, r, p } = DEFAULT_COST;
  return ["scrypt", N, r, p, salt.toString("base64"), key.toString("base64")].join("$");
}

export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const [scheme, N, r, p, salt, key] = encoded.split("$");
  if (scheme !== "scrypt" || !N || !r || !p || salt === undefined || key === undefined) {
    throw new GatewayError("stored password hash is not in a known format");
  }
  const expected = Buffer.from(key, "base64");
  const actual = await derive(password, Buffer.from(salt, "base64"), { N: Number(N), r: Number(r), p: Number(p) });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

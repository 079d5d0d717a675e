import { createPrivateKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { p256PointOf } from "@intelledger/proto/p256";
import { GatewayError } from "../errors.js";

export const COMMAND_KEY_FILE = "command-key.pem";

export interface CommandKey {
  privateKey: KeyObject;
  /** 65-byte uncompressed point: what devices are provisioned with to check commands. */
  publicKeyPoint: Uint8Array;
}

/**
 * The P-256 key the gateway signs device commands with (separate from its secp256k1
 * identity: devices verify P-256 with the mbedTLS code that signs their frames).
 * Created on first start, readable by the owner only.
 */
export function loadOrCreateCommandKey(dataDir: string): CommandKey {
  const path = join(dataDir, COMMAND_KEY_FILE);
  if (!existsSync(path)) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    writeFileSync(path, privateKey.export({ format: "pem", type: "pkcs8" }), { mode: 0o600, flag: "wx" });
  }
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) !== 0)
    throw new GatewayError(`${path} is readable by others (mode ${mode.toString(8)}); run chmod 600 on it`, { path });
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(readFileSync(path));
  } catch (cause) {
    throw new GatewayError(`${path} does not hold a valid P-256 private key`, { path }, { cause });
  }
  return { privateKey, publicKeyPoint: p256PointOf(privateKey) };
}

import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Wallet } from "ethers";
import { GatewayError } from "../errors.js";

export const GATEWAY_KEY_FILE = "gateway.key";

/**
 * The gateway's secp256k1 key: its address is the gateway's identity on the relay and
 * on chain. Created on first start, kept readable by the owner only.
 */
export function loadOrCreateGatewayIdentity(dataDir: string): Wallet {
  const path = join(dataDir, GATEWAY_KEY_FILE);
  if (!existsSync(path)) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const wallet = Wallet.createRandom();
    writeFileSync(path, `${wallet.privateKey}\n`, { mode: 0o600, flag: "wx" });
    return new Wallet(wallet.privateKey);
  }
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new GatewayError(`${path} is readable by others (mode ${mode.toString(8)}); run chmod 600 on it`, { path });
  }
  try {
    return new Wallet(readFileSync(path, "utf8").trim());
  } catch (cause) {
    throw new GatewayError(`${path} does not hold a valid secp256k1 private key`, { path }, { cause });
  }
}

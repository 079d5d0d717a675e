import { readFileSync } from "node:fs";
import type { RelayConfig } from "./config.js";
import { RelayConfigError } from "./errors.js";

const HEX_KEY = /^0x[0-9a-fA-F]{64}$/;

/**
 * The anchorer's private key: from the configuration's anchorerPrivateKeyFile, else the
 * RELAY_ANCHORER_PRIVATE_KEY environment variable, else the configuration itself (fine for
 * the embedded demo, not for an operated relay, whose JSON configuration holds no secrets).
 */
export function anchorerKey(chain: Pick<RelayConfig["chain"], "anchorerPrivateKey" | "anchorerPrivateKeyFile">): string {
  const fromFile =
    chain.anchorerPrivateKeyFile === undefined ? undefined : readFileSync(chain.anchorerPrivateKeyFile, "utf8").trim();
  const [source, key] =
    fromFile !== undefined
      ? [`the file ${chain.anchorerPrivateKeyFile}`, fromFile]
      : process.env.RELAY_ANCHORER_PRIVATE_KEY !== undefined
        ? ["RELAY_ANCHORER_PRIVATE_KEY", process.env.RELAY_ANCHORER_PRIVATE_KEY.trim()]
        : ["chain.anchorerPrivateKey", chain.anchorerPrivateKey];
  if (key === undefined) {
    throw new RelayConfigError(
      "no anchorer key: set chain.anchorerPrivateKeyFile, or RELAY_ANCHORER_PRIVATE_KEY in the environment",
    );
  }
  if (!HEX_KEY.test(key))
    throw new RelayConfigError(`the anchorer key in ${source} must be a 0x-prefixed 32-byte hex private key`);
  return key;
}

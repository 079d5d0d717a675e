import { HDNodeWallet, Mnemonic } from "ethers";

/**
 * The well-known Hardhat test mnemonic. Its keys are public: use them on the dev chain only.
 * hardhat.config.ts funds these accounts and startDevChain hands out their keys.
 */
export const DEV_CHAIN_MNEMONIC = "test test test test test test test test test test test junk";

/** How many funded accounts the dev chain has. */
export const DEV_CHAIN_ACCOUNT_COUNT = 10;

/** Chain id of the dev chain (Hardhat's default). */
export const DEV_CHAIN_ID = 31337;

/** Derives the dev chain's funded private keys (m/44'/60'/0'/0/i, as Hardhat does). */
export function devChainPrivateKeys(count: number = DEV_CHAIN_ACCOUNT_COUNT): string[] {
  const root = HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase(DEV_CHAIN_MNEMONIC), "m/44'/60'/0'/0");
  return Array.from({ length: count }, (_, index) => root.deriveChild(index).privateKey);
}

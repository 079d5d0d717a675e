import { createRequire } from "node:module";
import { defineConfig } from "hardhat/config";
import { DEV_CHAIN_ACCOUNT_COUNT, DEV_CHAIN_ID, DEV_CHAIN_MNEMONIC } from "./src/dev-chain-accounts.js";

const require = createRequire(import.meta.url);

export default defineConfig({
  solidity: {
    version: "0.8.28",
    // solc-js from npm: compiles offline, no compiler download.
    path: require.resolve("solc/soljson.js"),
    settings: {
      // Pinned so the committed bytecode does not move with compiler defaults.
      evmVersion: "cancun",
      optimizer: { enabled: true, runs: 200 },
    },
  },
  networks: {
    // The network `hardhat node` serves; startDevChain relies on these accounts.
    node: {
      type: "edr-simulated",
      chainType: "l1",
      chainId: DEV_CHAIN_ID,
      accounts: { mnemonic: DEV_CHAIN_MNEMONIC, count: DEV_CHAIN_ACCOUNT_COUNT },
    },
  },
});

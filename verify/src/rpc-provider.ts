import { JsonRpcProvider } from "ethers";

/**
 * A connection to a chain's JSON-RPC endpoint for verifyReceipt. The network is asked of the
 * endpoint on every check, not assumed, so an endpoint serving another chain is caught.
 * `destroy()` it when done.
 */
export function rpcProvider(rpcUrl: string): JsonRpcProvider {
  return new JsonRpcProvider(rpcUrl, undefined, { staticNetwork: false });
}

import type { Groth16VerificationKey } from "@intelledger/circuits/verify";
import type { dataAnchorAbi } from "@intelledger/contracts/interfaces";
import { abiAddress, gatewayRegistryAbi, TypedContract } from "@intelledger/contracts/interfaces";
import { toBeHex, type Log, type Provider } from "ethers";
import { z } from "zod";

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "must be a 20-byte 0x-prefixed address");

/**
 * A published deployment, as `deploy-cli` prints it: where the anchor contract, the gateway
 * registry, the batch verifier and the disclosure verifier are, on which chain, and the block of
 * the deployment (where the verifier starts reading the contracts' events). Other fields are
 * ignored.
 */
export const deploymentSchema = z.object({
  chainId: z.number().int().positive(),
  dataAnchor: address,
  registry: address,
  batchVerifier: address,
  disclosureVerifier: address,
  blockNumber: z.number().int().nonnegative(),
});
export type PublishedDeployment = z.infer<typeof deploymentSchema>;

/** What a verifier trusts, besides the chain itself. */
export interface ChainTrust extends BatchVerificationKey {
  /** The chain the deployment lives on: the RPC endpoint and the receipt must both be on it. */
  chainId: number;
  deployment: PublishedDeployment;
  /** Blocks, the anchor's own included, that must hold the anchor before it counts. */
  minConfirmations: number;
  /** Whether a proof under the development verification key (public beacons: forgeable) may pass. */
  allowDevelopmentKey: boolean;
}

/** The batch circuit's verification key, the disclosure circuit's, and how they were made. */
export interface BatchVerificationKey {
  verificationKey: Groth16VerificationKey;
  /** "production" only when both keys come from a ceremony. */
  verificationKeyKind: "development" | "production";
  /** The reading disclosure circuit's verification key. */
  disclosureKey: Groth16VerificationKey;
}

/**
 * The verification key's points as the Solidity verifier holds them: 32-byte constants the
 * compiler pushes with the shortest PUSH (no leading zero bytes), so each appears in the
 * deployed code as that opcode and its bytes.
 */
function verificationKeyConstants(vkey: Groth16VerificationKey): bigint[] {
  const points = ["vk_alpha_1", "vk_beta_2", "vk_gamma_2", "vk_delta_2", "IC"].map((field) => vkey[field]);
  const numbers = (value: unknown): string[] => (Array.isArray(value) ? value.flatMap(numbers) : [String(value)]);
  // Projective coordinates end in 1 (and 0 for G2): not constants of the verifier.
  return points
    .flatMap(numbers)
    .map(BigInt)
    .filter((value) => value > 1n);
}

/** Whether the deployed code `code` (0x-hex) pushes every constant of `vkey`. */
export function codeEncodesVerificationKey(code: string, vkey: Groth16VerificationKey): boolean {
  const bytecode = code.toLowerCase();
  return verificationKeyConstants(vkey).every((constant) => {
    const bytes = toBeHex(constant).slice(2);
    const push = (0x5f + bytes.length / 2).toString(16);
    return bytecode.includes(`${push}${bytes}`);
  });
}

/** Whether the last of `grants` and `revocations` at or before `block` is a grant. */
function heldAt(grants: readonly Log[], revocations: readonly Log[], block: number): boolean {
  const order = (log: Log) => log.blockNumber * 1e6 + log.index;
  const last = (logs: readonly Log[]) => Math.max(-1, ...logs.filter((log) => log.blockNumber <= block).map(order));
  return last(grants) > last(revocations);
}

/** Whether `anchorer` held the anchorer role of the deployment's anchor contract, `dataAnchor`, in block `block`. */
export async function heldAnchorerRole(
  dataAnchor: TypedContract<typeof dataAnchorAbi>,
  deployment: PublishedDeployment,
  anchorer: string,
  block: number,
): Promise<boolean> {
  const [role] = await dataAnchor.read("ANCHORER_ROLE", []);
  const events = (name: "RoleGranted" | "RoleRevoked") =>
    dataAnchor.events(name, [role, abiAddress(anchorer)], deployment.blockNumber, block);
  return heldAt(await events("RoleGranted"), await events("RoleRevoked"), block);
}

/** Whether `gateway` was registered, and not deactivated, in the registry in block `block`. */
export async function wasActiveGateway(
  provider: Provider,
  deployment: PublishedDeployment,
  gateway: string,
  block: number,
): Promise<boolean> {
  const registry = new TypedContract(deployment.registry, gatewayRegistryAbi, provider);
  const events = (name: "GatewayRegistered" | "GatewayDeactivated") =>
    registry.events(name, [abiAddress(gateway)], deployment.blockNumber, block);
  return heldAt(await events("GatewayRegistered"), await events("GatewayDeactivated"), block);
}

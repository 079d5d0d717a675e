import { getBytes, hashMessage, type Signer } from "ethers";
import { recoverSignerAddress } from "./signer-recovery.js";

/** The text a gateway signs (EIP-191) to show the relay it holds its address's key. */
export function registrationMessage(gatewayId: string, timestampMs: number): string {
  return `IntelLedger Edge registration ${gatewayId} ${timestampMs}`;
}

export async function signRegistration(signer: Signer, gatewayId: string, timestampMs: number): Promise<Uint8Array> {
  return getBytes(await signer.signMessage(registrationMessage(gatewayId, timestampMs)));
}

export function recoverRegistrationSigner(gatewayId: string, timestampMs: number, signature: Uint8Array): string {
  return recoverSignerAddress(getBytes(hashMessage(registrationMessage(gatewayId, timestampMs))), signature);
}

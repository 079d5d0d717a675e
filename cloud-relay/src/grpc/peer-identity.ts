import type { ServerSurfaceCall } from "@grpc/grpc-js/build/src/server-call.js";
import { getAddress } from "ethers";
import { RelayError } from "../errors.js";

/**
 * The gateway on the other end of the call: the common name of its TLS client
 * certificate, which the relay's certificate authority issued for its address.
 */
export function peerGatewayId(call: ServerSurfaceCall): string {
  const commonName = call.getAuthContext()?.sslPeerCertificate?.subject?.CN;
  if (typeof commonName !== "string") throw new RelayError("unauthenticated", "no TLS client certificate");
  try {
    return getAddress(commonName);
  } catch (cause) {
    throw new RelayError("unauthenticated", "TLS client certificate does not name a gateway address", { commonName }, { cause });
  }
}

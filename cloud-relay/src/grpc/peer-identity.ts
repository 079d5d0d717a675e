import type { ServerSurfaceCall } from "@grpc/grpc-js/build/src/server-call.js";
import { getAddress } from "ethers";
import { RelayRefusal } from "../errors.js";

/**
 * The gateway on the other end of the call: the common name of its TLS client certificate,
 * which the relay's certificate authority issued for its address. TLS lets any client
 * connect so that a missing, expired or foreign certificate is refused here, per call, with
 * a status the client can act on, and is counted; gRPC shows no certificate that did not
 * verify against the relay's CA.
 */
export function peerGatewayId(call: ServerSurfaceCall): string {
  const commonName = call.getAuthContext().sslPeerCertificate?.subject?.CN;
  if (typeof commonName !== "string") {
    throw new RelayRefusal(
      "unauthenticated",
      "client_certificate_refused",
      "no valid TLS client certificate: the relay takes only unexpired certificates its CA issued",
      { peer: call.getPeer() },
    );
  }
  try {
    return getAddress(commonName);
  } catch (cause) {
    throw new RelayRefusal(
      "unauthenticated",
      "certificate_not_a_gateway",
      "TLS client certificate does not name a gateway address",
      { commonName },
      { cause },
    );
  }
}

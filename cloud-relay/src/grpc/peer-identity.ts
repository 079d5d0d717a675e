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

/** The gateway named by the call's certificate, once it is known to be the one the request names (`what`: the request, in the refusal's words). */
export function callingGateway(call: ServerSurfaceCall, namedGatewayId: string, what: string): string {
  const gatewayId = peerGatewayId(call);
  if (namedGatewayId !== gatewayId) {
    throw new RelayRefusal("permission_denied", "gateway_mismatch", `${what} names another gateway than the TLS client`, {
      namedGateway: namedGatewayId,
      tlsGateway: gatewayId,
    });
  }
  return gatewayId;
}

/** The address a call comes from, without its port. */
export function peerAddress(call: ServerSurfaceCall): string {
  return call.getPeer().replace(/:\d+$/, "");
}

/** Who to log a refusal under: the certificate's gateway, or the peer's address (without its port) when there is none. */
export function callerOf(call: ServerSurfaceCall): string {
  try {
    return peerGatewayId(call);
  } catch {
    return peerAddress(call);
  }
}

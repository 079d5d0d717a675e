import type { Http2SecureServer, Http2Server, ServerHttp2Session } from "node:http2";
import type { Server, ServerCredentials } from "@grpc/grpc-js";

/**
 * Gives every HTTP/2 connection the server accepts a receive window of `bytes` per stream,
 * and twice that per connection, so an upload stream at its full window leaves room for the
 * gateway's other calls. grpc-js leaves a server at HTTP/2's initial 65,535 bytes (it reads
 * `grpc-node.flow_control_window` on the client side only; grpc/grpc-node#3058): a gateway
 * could then send 64 KiB per round trip, about 7,000 readings/s from behind a 100 ms link
 * whatever the relay's speed. grpc-js builds each listener's HTTP/2 server in
 * `createHttp2Server`, which has no public hook, so that method is wrapped; the server's
 * tests check the windows a client is given, and would fail if grpc-js stopped calling it.
 * Call before the server binds.
 */
export function widenReceiveWindow(server: Server, bytes: number): void {
  const internals = server as unknown as { createHttp2Server(credentials: ServerCredentials): Http2Server | Http2SecureServer };
  const create = internals.createHttp2Server.bind(server);
  internals.createHttp2Server = (credentials) => {
    const http2Server = create(credentials);
    http2Server.updateSettings({ initialWindowSize: bytes });
    http2Server.on("session", (session: ServerHttp2Session) => session.setLocalWindowSize(2 * bytes));
    return http2Server;
  };
}

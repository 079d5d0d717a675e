import {
  request,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type ServerResponse,
} from "node:http";
import { connect } from "node:net";
import type { Duplex } from "node:stream";

/** What of a caller's request Node-RED gets: never its cookies or credentials. */
const REQUEST_HEADERS = [
  "accept",
  "accept-encoding",
  "accept-language",
  "cache-control",
  "content-type",
  "if-modified-since",
  "if-none-match",
  "node-red-api-version",
  "node-red-deployment-type",
  "node-red-deployment-reload",
  "user-agent",
];
const UPGRADE_HEADERS = ["sec-websocket-key", "sec-websocket-version", "sec-websocket-extensions", "sec-websocket-protocol"];
/**
 * What of Node-RED's answer reaches the caller. Node-RED's process is not trusted, so no
 * cookies (it could plant a session) and none of the security headers the gateway sets.
 */
const RESPONSE_HEADERS = [
  "cache-control",
  "content-disposition",
  "content-encoding",
  "content-length",
  "content-type",
  "etag",
  "expires",
  "last-modified",
  "location",
  "vary",
];

function pick(headers: IncomingHttpHeaders, names: readonly string[]): OutgoingHttpHeaders {
  const picked: OutgoingHttpHeaders = {};
  for (const name of names) {
    const value = headers[name];
    if (value !== undefined) picked[name] = value;
  }
  return picked;
}

/**
 * Sends a request on to Node-RED's editor on 127.0.0.1:`port`, with the headers the
 * gateway chose (`extraHeaders`: who is calling) and the body it already read, and streams
 * the answer back. A Node-RED that goes away mid-request answers 502.
 */
export function forwardRequest(
  req: IncomingMessage,
  res: ServerResponse,
  target: { port: number; path: string; extraHeaders: OutgoingHttpHeaders; body: Buffer | undefined },
): void {
  const headers: OutgoingHttpHeaders = {
    ...pick(req.headers, REQUEST_HEADERS),
    ...target.extraHeaders,
    host: `127.0.0.1:${target.port}`,
    "content-length": target.body?.length ?? 0,
  };
  const upstream = request({ host: "127.0.0.1", port: target.port, method: req.method, path: target.path, headers });
  upstream.on("response", (answer) => {
    res.writeHead(answer.statusCode ?? 502, pick(answer.headers, RESPONSE_HEADERS));
    answer.pipe(res);
    answer.on("error", () => res.destroy());
  });
  upstream.on("error", () => {
    if (res.headersSent) res.destroy();
    else res.writeHead(502, { "content-type": "application/json" }).end('{"error":"Node-RED did not answer"}');
  });
  res.on("close", () => upstream.destroy());
  upstream.end(target.body);
}

/** Hands an accepted WebSocket upgrade on to Node-RED's editor and joins the two sockets. */
export function forwardUpgrade(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  target: { port: number; path: string; extraHeaders: Record<string, string> },
): void {
  const upstream = connect(target.port, "127.0.0.1");
  const headers: Record<string, unknown> = {
    ...pick(req.headers, UPGRADE_HEADERS),
    ...target.extraHeaders,
    host: `127.0.0.1:${target.port}`,
    connection: "Upgrade",
    upgrade: "websocket",
  };
  upstream.on("connect", () => {
    const lines = Object.entries(headers).map(([name, value]) => `${name}: ${String(value)}`);
    upstream.write(`GET ${target.path} HTTP/1.1\r\n${lines.join("\r\n")}\r\n\r\n`);
    if (head.length > 0) upstream.write(head);
    socket.pipe(upstream).pipe(socket);
  });
  upstream.on("error", () => socket.destroy());
  socket.on("error", () => upstream.destroy());
  upstream.on("close", () => socket.destroy());
  socket.on("close", () => upstream.destroy());
}

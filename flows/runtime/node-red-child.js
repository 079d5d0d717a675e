// @ts-check
// The Node-RED process the gateway supervises (see gateway/src/node-red/node-red-supervisor.ts).
// It talks to the gateway only over the socket pair on file descriptor 3, runs as the
// user the gateway chose, with an environment of its own, and serves the editor on
// 127.0.0.1 to the gateway, which alone lets callers through to it.
import { once } from "node:events";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { Socket } from "node:net";
import { getPriority, setPriority } from "node:os";
import { ChannelGatewayApi } from "./channel-gateway-api.js";
import { lineChannel } from "./line-channel.js";
import { refuseListeners } from "./listening-guard.js";
import { nodeRedSettings } from "./node-red-settings.js";

/**
 * @typedef {import("../channel-messages.js").GatewayMessage} GatewayMessage
 * @typedef {import("../channel-messages.js").NodeRedMessage} NodeRedMessage
 * @typedef {import("../channel-messages.js").NodeRedStartConfig} NodeRedStartConfig
 * @typedef {{ init(server: import("node:http").Server, settings: object): void, start(): Promise<void>, stop(): Promise<void>, httpAdmin: import("node:http").RequestListener }} NodeRedRuntime
 */

const CHANNEL_FD = 3;
const HEARTBEAT_INTERVAL_MS = 500;
/** The gateway's messages carry batches of readings; a line above this is not one of them. */
const MAX_LINE_BYTES = 16 * 1024 * 1024;
/** Below ingest (0), above proving (10): flows get the CPU the gateway's own work leaves. */
const NICENESS = 5;

const socket = new Socket({ fd: CHANNEL_FD, readable: true, writable: true });
/** @type {ChannelGatewayApi | undefined} */
let api;
/** @type {(config: NodeRedStartConfig) => void} */
let started = () => undefined;
/** @type {() => void} */
let stopRequested = () => undefined;
const startConfig = new Promise((resolve) => (started = resolve));

/** @type {import("./line-channel.js").LineChannel<NodeRedMessage>} */
const channel = lineChannel(socket, {
  maxLineBytes: MAX_LINE_BYTES,
  onMessage(/** @type {GatewayMessage} */ message) {
    if (message.t === "start") started(message.config);
    else if (message.t === "stop") stopRequested();
    else api?.receive(message);
  },
  onError: () => process.exit(70),
});
// Without the gateway there is nothing to do.
socket.on("close", () => process.exit(0));
setInterval(() => channel.send({ t: "heartbeat" }), HEARTBEAT_INTERVAL_MS);

const config = /** @type {NodeRedStartConfig} */ (await startConfig);
const listeners = config.allowListeningNodes ? undefined : refuseListeners();
// Node-RED is CommonJS; its DefinitelyTyped types would bring the DOM's into the type check.
const require = createRequire(import.meta.url);
const RED = /** @type {NodeRedRuntime} */ (require("node-red"));
// The express Node-RED itself uses.
const express = /** @type {typeof import("express")} */ (createRequire(require.resolve("node-red"))("express"));
api = new ChannelGatewayApi(channel, config);
const app = express();
app.disable("x-powered-by");
const server = createServer(app);
listeners?.allow(server);
RED.init(
  server,
  nodeRedSettings({
    config,
    api,
    log: (line) => channel.send({ t: "log", ...line }),
    onFlows: (rev) => channel.send({ t: "flows", rev }),
  }),
);
app.use(config.adminRoot, RED.httpAdmin);
server.listen(0, "127.0.0.1");
await once(server, "listening");
await RED.start();
const address = server.address();
channel.send({ t: "ready", port: typeof address === "object" && address ? address.port : 0 });
// Started at full speed (a restart is waited for); from now on below the gateway's own work.
// Only ever lower: a process may not raise its own priority.
setPriority(Math.max(getPriority(), NICENESS));

await new Promise((resolve) => (stopRequested = () => resolve(undefined)));
await RED.stop();
process.exit(0);

// @ts-check
import dgram from "node:dgram";
import net from "node:net";

const REFUSED = "listening for network connections is off on this gateway (http.nodeRed.allowListeningNodes)";

/** The refusal, with a code for the nodes that report only an error's code (udp in). */
function refusal() {
  return Object.assign(new Error(REFUSED), { code: "ERR_LISTENING_OFF" });
}

/**
 * Refuses network listeners in this process: TCP, HTTP and WebSocket servers, and UDP
 * sockets bound to a chosen port (a sender's ephemeral port is left alone), except the
 * servers passed to `allow` (the editor's). The refusal reaches the node as the socket's
 * 'error' event, so tcp in, udp in and the like report it in their status and log.
 * Node-RED's own nodes go through these calls; code that escapes Node-RED's sandbox is
 * contained by the process's user, not by this.
 * @returns {{ allow(server: net.Server): void }}
 */
export function refuseListeners() {
  /** @type {WeakSet<net.Server>} */
  const allowed = new WeakSet();
  const listen = net.Server.prototype.listen;
  net.Server.prototype.listen = /** @type {typeof listen} */ (
    /**
     * @this {net.Server}
     * @param {any[]} args
     */
    function (...args) {
      if (allowed.has(this)) return listen.apply(this, /** @type {any} */ (args));
      process.nextTick(() => this.emit("error", refusal()));
      return this;
    }
  );
  const bind = dgram.Socket.prototype.bind;
  dgram.Socket.prototype.bind = /** @type {typeof bind} */ (
    /**
     * @this {dgram.Socket}
     * @param {any[]} args
     */
    function (...args) {
      const [first] = args;
      const port = typeof first === "object" && first !== null ? first.port : typeof first === "function" ? 0 : first;
      if (!port) return bind.apply(this, /** @type {any} */ (args));
      process.nextTick(() => this.emit("error", refusal()));
      return this;
    }
  );
  return { allow: (server) => allowed.add(server) };
}

// @ts-check
/**
 * @template Outgoing
 * @typedef {object} LineChannel
 * @property {(message: Outgoing) => void} send
 * @property {() => number} backlogBytes bytes written but not yet taken by the other side
 * @property {() => void} close
 */

/**
 * Newline-delimited JSON over a stream socket: the channel between the gateway and its
 * Node-RED process. A line longer than `maxLineBytes`, or one that is not JSON, ends the
 * channel through `onError`: the side that reads never buffers or parses more than it
 * agreed to, whatever the other side sends.
 * @template Incoming, Outgoing
 * @param {import("node:net").Socket} socket
 * @param {{ maxLineBytes: number, onMessage(message: Incoming): void, onError(error: Error): void }} handlers
 * @returns {LineChannel<Outgoing>}
 */
export function lineChannel(socket, { maxLineBytes, onMessage, onError }) {
  let pending = "";
  let failed = false;
  /** @param {string} reason */
  const fail = (reason) => {
    failed = true;
    pending = "";
    socket.destroy();
    onError(new Error(reason));
  };
  socket.setEncoding("utf8");
  socket.on("data", (/** @type {string} */ chunk) => {
    if (failed) return;
    pending += chunk;
    let newline;
    while ((newline = pending.indexOf("\n")) >= 0) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      if (line.length > maxLineBytes) return fail(`a message of more than ${maxLineBytes} bytes`);
      let message;
      try {
        message = JSON.parse(line);
      } catch {
        return fail("a message that is not JSON");
      }
      onMessage(message);
      if (failed) return;
    }
    if (pending.length > maxLineBytes) fail(`a message of more than ${maxLineBytes} bytes`);
  });
  return {
    send(message) {
      if (!socket.destroyed) socket.write(`${JSON.stringify(message)}\n`);
    },
    backlogBytes: () => socket.writableLength,
    close: () => socket.end(),
  };
}

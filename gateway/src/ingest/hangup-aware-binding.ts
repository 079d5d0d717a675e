import { read } from "node:fs";
import { promisify } from "node:util";
import { autoDetect, LinuxBinding, type AutoDetectTypes, type LinuxBindingInterface } from "@serialport/bindings-cpp";
import { unixRead } from "@serialport/bindings-cpp/dist/unix-read.js";
import { GatewayError } from "../errors.js";

const fileRead = promisify(read);

/** What a read of a serial line that hung up fails with: the stream closes the port on it. */
export class SerialHangupError extends GatewayError {
  constructor() {
    super("the serial line hung up: its device went away");
  }
}

/**
 * A terminal whose other end went away (a USB adapter pulled, a pty's master closed) reads as
 * end of file. serialport's Unix read answers an empty read by reading again, so a read already
 * past the poller when the line hangs up spins on the thread pool and the port never closes.
 * The port is opened with VMIN 1 and O_NONBLOCK, so an empty read means only that: here it
 * fails the read, and the stream closes the port as disconnected.
 */
const readOrHangUp: typeof fileRead = async (...args: Parameters<typeof fileRead>) => {
  const result = await fileRead(...args);
  if (result.bytesRead === 0) throw new SerialHangupError();
  return result;
};

/** Linux's serialport binding, with ports whose reads end when their line hangs up. */
const hangupAwareLinuxBinding: LinuxBindingInterface = {
  list: () => LinuxBinding.list(),
  async open(options) {
    const port = await LinuxBinding.open(options);
    port.read = (buffer, offset, length) => unixRead({ binding: port, buffer, offset, length, fsReadAsync: readOrHangUp });
    return port;
  },
};

/** The binding the gateway opens serial ports with: the platform's, hang-up aware on Linux. */
export function serialBinding(): AutoDetectTypes {
  return process.platform === "linux" ? hangupAwareLinuxBinding : autoDetect();
}

import { readdirSync } from "node:fs";
import { createConnection, type Socket } from "node:net";
import { join } from "node:path";
import type { Logger } from "pino";
import type { BleCentral, BleLink } from "@intelledger/gateway/ble";

const MSG_ADVERTISE = 0x41; // 'A'
const MSG_NOTIFY = 0x4e; // 'N'
const MSG_WRITE = 0x57; // 'W'
const HEADER_BYTES = 3;

/** One radio message: type, 2-byte big-endian length, value. */
function message(type: number, value: Uint8Array): Buffer {
  const bytes = Buffer.alloc(HEADER_BYTES + value.length);
  bytes[0] = type;
  bytes.writeUInt16BE(value.length, 1);
  bytes.set(value, HEADER_BYTES);
  return bytes;
}

/** A connected peripheral, once it advertised itself. */
interface RadioPeripheral {
  mtu: number;
  deviceId: string;
  data: ((chunk: Uint8Array) => void)[];
  gone: (() => void)[];
}

/**
 * A BLE central over the simulated radio: peripherals in other processes (the firmware's device
 * simulator with --ble-radio) advertise by listening on DIR/<device id>.sock; the central
 * connects to each one it finds, and again when one comes back. The socket carries the air's
 * traffic as messages (firmware/simulator/ble_radio_link.h): the peripheral's advertisement
 * (MTU and name) first, then notifications one way and writes the other, each at most MTU - 3
 * bytes. Stands in for BlueZ where there is no radio, behind the same interface.
 */
export class SimulatedRadioCentral implements BleCentral {
  private readonly dir: string;
  private readonly scanIntervalMs: number;
  private readonly logger: Logger;
  private readonly sockets = new Map<string, Socket>();
  private timer: NodeJS.Timeout | undefined;
  private onLink: ((link: BleLink) => void) | undefined;

  constructor(options: { dir: string; scanIntervalMs?: number; logger: Logger }) {
    this.dir = options.dir;
    this.scanIntervalMs = options.scanIntervalMs ?? 200;
    this.logger = options.logger;
  }

  async start(onLink: (link: BleLink) => void): Promise<void> {
    this.onLink = onLink;
    this.scan();
    this.timer = setInterval(() => this.scan(), this.scanIntervalMs);
    await Promise.resolve();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.onLink = undefined;
    for (const socket of this.sockets.values()) socket.destroy();
    this.sockets.clear();
    await Promise.resolve();
  }

  private scan(): void {
    let names: string[];
    try {
      names = readdirSync(this.dir).filter((name) => name.endsWith(".sock"));
    } catch {
      return; // no peripheral has advertised yet
    }
    for (const name of names) if (!this.sockets.has(name)) this.connect(name);
  }

  private connect(name: string): void {
    const socket = createConnection(join(this.dir, name));
    this.sockets.set(name, socket);
    let inbox = Buffer.alloc(0);
    let link: RadioPeripheral | undefined;
    socket.on("data", (chunk: Buffer) => {
      inbox = Buffer.concat([inbox, chunk]);
      while (inbox.length >= HEADER_BYTES && inbox.length >= HEADER_BYTES + inbox.readUInt16BE(1)) {
        const type = inbox[0];
        const value = inbox.subarray(HEADER_BYTES, HEADER_BYTES + inbox.readUInt16BE(1));
        inbox = inbox.subarray(HEADER_BYTES + value.length);
        if (type === MSG_ADVERTISE && !link && value.length >= 2) {
          link = { mtu: value.readUInt16BE(0), deviceId: value.subarray(2).toString("ascii"), data: [], gone: [] };
          this.announce(socket, link);
        } else if (type === MSG_NOTIFY && link) {
          for (const listener of link.data) listener(new Uint8Array(value));
        } else {
          this.logger.warn({ peripheral: name, type }, "simulated radio: unexpected message; disconnecting");
          socket.destroy();
        }
      }
    });
    socket.on("error", (error) => this.logger.debug({ err: error, peripheral: name }, "simulated radio: connection failed"));
    socket.on("close", () => {
      if (this.sockets.get(name) === socket) this.sockets.delete(name);
      for (const listener of link?.gone ?? []) listener();
    });
  }

  private announce(socket: Socket, link: RadioPeripheral): void {
    this.logger.info({ deviceId: link.deviceId, mtu: link.mtu }, "BLE device connected (simulated radio)");
    this.onLink?.({
      deviceId: link.deviceId,
      mtu: link.mtu,
      onData: (listener) => link.data.push(listener),
      onDisconnect: (listener) => link.gone.push(listener),
      write: (chunk) => {
        if (chunk.length > link.mtu - 3) return Promise.reject(new Error(`write of ${chunk.length} bytes exceeds the MTU`));
        return new Promise<void>((resolve, reject) =>
          socket.write(message(MSG_WRITE, chunk), (error) => (error ? reject(error) : resolve())),
        );
      },
      disconnect: () => {
        socket.destroy();
        return Promise.resolve();
      },
    });
  }
}

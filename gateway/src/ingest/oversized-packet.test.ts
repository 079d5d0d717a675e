import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { frameTopic } from "@intelledger/proto/mqtt";

/** How big a publish the attacks declare and try to send (the scale knob: EDGE_OVERSIZED_PUBLISH_MB). */
const ATTACK_BYTES = Number(process.env["EDGE_OVERSIZED_PUBLISH_MB"] ?? 200) * 1024 * 1024;
const ALLOWED_GROWTH_BYTES = 20 * 1024 * 1024;

let dir: string;
let child: ChildProcess;
let mqttPort: number;
let login: { username: string; password: string };

function residentBytes(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8").match(/^VmRSS:\s+(\d+) kB$/m);
  if (!line?.[1]) throw new Error(`no VmRSS for process ${pid}`);
  return Number(line[1]) * 1024;
}

function remainingLength(length: number): Buffer {
  const bytes: number[] = [];
  do {
    let byte = length % 128;
    length = Math.floor(length / 128);
    if (length > 0) byte |= 0x80;
    bytes.push(byte);
  } while (length > 0);
  return Buffer.from(bytes);
}

const mqttString = (text: string | Buffer) => {
  const bytes = Buffer.from(text);
  return Buffer.concat([Buffer.from([bytes.length >> 8, bytes.length & 0xff]), bytes]);
};

/** An MQTT 3.1.1 CONNECT, written from the specification. */
function connectPacket(clientId: string, credentials?: { username: string; password: string }): Buffer {
  const flags = 0x02 | (credentials ? 0xc0 : 0);
  const body = Buffer.concat([
    mqttString("MQTT"),
    Buffer.from([4, flags, 0, 60]),
    mqttString(clientId),
    ...(credentials ? [mqttString(credentials.username), mqttString(credentials.password)] : []),
  ]);
  return Buffer.concat([Buffer.from([0x10]), remainingLength(body.length), body]);
}

/** The start of a QoS 1 PUBLISH whose payload is declared `payloadBytes` long: fixed header, topic, packet id. */
function publishHeader(topic: string, payloadBytes: number): Buffer {
  const variable = Buffer.concat([mqttString(topic), Buffer.from([0, 1])]);
  return Buffer.concat([Buffer.from([0x32]), remainingLength(variable.length + payloadBytes), variable]);
}

/**
 * Writes `head`, then zeros up to `totalBytes`, as fast as the socket takes them, until the
 * gateway closes the connection; resolves with how many bytes the socket took.
 */
async function pour(socket: Socket, head: Buffer, totalBytes: number): Promise<number> {
  let closed = false;
  const ended = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  void ended.then(() => (closed = true));
  // The gateway resets the connection: writes after that fail, which is the point.
  socket.on("error", () => {});
  let written = 0;
  const chunk = Buffer.alloc(1024 * 1024);
  const write = async (bytes: Buffer) => {
    written += bytes.length;
    if (!socket.write(bytes)) await Promise.race([new Promise((resolve) => socket.once("drain", resolve)), ended]);
  };
  await write(head);
  while (!closed && written < totalBytes) await write(chunk.subarray(0, Math.min(chunk.length, totalBytes - written)));
  await ended;
  return written;
}

async function opened(): Promise<Socket> {
  const socket = connect({ host: "127.0.0.1", port: mqttPort });
  await once(socket, "connect");
  return socket;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "oversized-"));
  child = spawn(process.execPath, ["--import", "tsx", join(import.meta.dirname, "../../test/memory-probe-gateway.ts"), dir], {
    cwd: join(import.meta.dirname, "../.."),
    stdio: ["ignore", "pipe", "inherit"],
  });
  const [line] = (await once(createInterface({ input: child.stdout as NodeJS.ReadableStream }), "line")) as [string];
  ({ mqttPort, login } = JSON.parse(line) as { mqttPort: number; login: { username: string; password: string } });
  // Let start-up allocation settle before taking the baseline.
  await new Promise((resolve) => setTimeout(resolve, 2_000));
}, 120_000);

afterAll(async () => {
  if (child.exitCode === null) {
    child.kill("SIGTERM");
    await once(child, "exit");
  }
  rmSync(dir, { recursive: true, force: true });
});

describe(`a ${ATTACK_BYTES / 1024 / 1024} MB packet to the embedded broker`, () => {
  it("from a logged-in device is refused before its payload is read, and the gateway's memory stays put", async () => {
    const pid = child.pid ?? 0;
    const before = residentBytes(pid);
    const socket = await opened();
    socket.write(connectPacket(login.username, login));
    const [connack] = (await once(socket, "data")) as [Buffer];
    expect([...connack]).toEqual([0x20, 2, 0, 0]); // accepted
    const taken = await pour(socket, publishHeader(frameTopic(login.username), ATTACK_BYTES), ATTACK_BYTES);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const after = residentBytes(pid);
    console.log(
      `publish of ${ATTACK_BYTES / 2 ** 20} MB: connection closed after ${(taken / 2 ** 20).toFixed(1)} MB sent; ` +
        `gateway resident ${(before / 2 ** 20).toFixed(1)} MB before, ${(after / 2 ** 20).toFixed(1)} MB after`,
    );
    expect(taken).toBeLessThan(ATTACK_BYTES);
    expect(after - before).toBeLessThan(ALLOWED_GROWTH_BYTES);
  }, 120_000);

  it("as a CONNECT before any login is refused the same way", async () => {
    const pid = child.pid ?? 0;
    const before = residentBytes(pid);
    const socket = await opened();
    const intruder = connectPacket("intruder");
    const head = Buffer.concat([Buffer.from([0x10]), remainingLength(ATTACK_BYTES), intruder.subarray(2)]);
    const taken = await pour(socket, head, ATTACK_BYTES);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const after = residentBytes(pid);
    console.log(
      `CONNECT of ${ATTACK_BYTES / 2 ** 20} MB: closed after ${(taken / 2 ** 20).toFixed(1)} MB sent; ` +
        `resident ${(before / 2 ** 20).toFixed(1)} MB before, ${(after / 2 ** 20).toFixed(1)} MB after`,
    );
    expect(taken).toBeLessThan(ATTACK_BYTES);
    expect(after - before).toBeLessThan(ALLOWED_GROWTH_BYTES);
  }, 120_000);
});

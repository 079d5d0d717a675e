import { once } from "node:events";
import { createServer, connect, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { lineChannel } from "./line-channel.js";

let server: Server | undefined;

/** Two ends of a real stream socket. */
async function socketPair(): Promise<[Socket, Socket]> {
  server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  const accepted = once(server, "connection") as Promise<[Socket]>;
  const client = connect(port, "127.0.0.1");
  const [serverSide] = await accepted;
  return [client, serverSide];
}

afterEach(() => server?.close());

describe("line channel", () => {
  it("carries JSON messages both ways, one per line, however the bytes are split", async () => {
    const [a, b] = await socketPair();
    const atB: unknown[] = [];
    const atA: unknown[] = [];
    const ends = {
      a: lineChannel<unknown, unknown>(a, { maxLineBytes: 1_000, onMessage: (m) => atA.push(m), onError: () => undefined }),
      b: lineChannel<unknown, unknown>(b, { maxLineBytes: 1_000, onMessage: (m) => atB.push(m), onError: () => undefined }),
    };
    ends.a.send({ t: "heartbeat" });
    ends.a.send({ t: "call", id: 1, text: "line\nbreak" });
    a.write('{"t":"spl');
    a.write('it"}\n');
    ends.b.send({ t: "result", id: 1 });
    await expect.poll(() => atB.length).toBe(3);
    await expect.poll(() => atA.length).toBe(1);
    expect(atB).toEqual([{ t: "heartbeat" }, { t: "call", id: 1, text: "line\nbreak" }, { t: "split" }]);
    expect(atA).toEqual([{ t: "result", id: 1 }]);
    a.destroy();
  });

  it("ends the channel on a line longer than agreed, or one that is not JSON", async () => {
    for (const sent of [`${"x".repeat(2_000)}`, "not json\n"]) {
      const [a, b] = await socketPair();
      const errors: string[] = [];
      const received: unknown[] = [];
      lineChannel<unknown, unknown>(b, {
        maxLineBytes: 1_000,
        onMessage: (m) => received.push(m),
        onError: (error) => errors.push(error.message),
      });
      a.write(sent);
      await expect.poll(() => errors.length).toBe(1);
      expect(received).toEqual([]);
      await expect.poll(() => b.destroyed).toBe(true);
      a.destroy();
      server?.close();
    }
  });
});

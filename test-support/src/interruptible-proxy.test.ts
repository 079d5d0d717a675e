import { once } from "node:events";
import { createConnection, createServer, type AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { InterruptibleProxy } from "./interruptible-proxy.js";

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** A TCP echo service, and a proxy in front of it. */
async function echoBehind(roundTripMs: number): Promise<InterruptibleProxy> {
  const echo = createServer((socket) => socket.pipe(socket));
  echo.listen(0, "127.0.0.1");
  await once(echo, "listening");
  closers.push(() => new Promise<void>((resolve) => echo.close(() => resolve())));
  const proxy = await InterruptibleProxy.start(
    { host: "127.0.0.1", port: (echo.address() as AddressInfo).port },
    { roundTripMs },
  );
  closers.push(() => proxy.close());
  return proxy;
}

/** Sends each message through the proxy to the echo service; the echoed bytes and how long the first took to come back. */
async function roundTrip(proxy: InterruptibleProxy, messages: string[]): Promise<{ echoed: string; firstMs: number }> {
  const socket = createConnection({ host: "127.0.0.1", port: proxy.listeningPort });
  closers.push(() => void socket.destroy());
  await once(socket, "connect");
  const sentAt = performance.now();
  let echoed = "";
  let firstMs = -1;
  const expected = messages.join("").length;
  const done = new Promise<void>((resolve) =>
    socket.on("data", (chunk: Buffer) => {
      if (firstMs < 0) firstMs = performance.now() - sentAt;
      echoed += chunk.toString();
      if (echoed.length >= expected) resolve();
    }),
  );
  for (const message of messages) socket.write(message);
  await done;
  return { echoed, firstMs };
}

describe("a proxy with a round trip", () => {
  it("delivers everything, in order, no sooner than its round trip", async () => {
    const messages = Array.from({ length: 50 }, (_, i) => `message ${i};`);
    const { echoed, firstMs } = await roundTrip(await echoBehind(80), messages);
    expect(echoed).toBe(messages.join(""));
    expect(firstMs).toBeGreaterThanOrEqual(78);
  });

  it("passes bytes straight through without one", async () => {
    const messages = ["a", "b", "c"];
    const { echoed } = await roundTrip(await echoBehind(0), messages);
    expect(echoed).toBe("abc");
  });
});

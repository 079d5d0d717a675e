import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { once } from "node:events";
import { describe, expect, it } from "vitest";
import { freePort } from "./free-port.js";

describe("free ports for services a test starts and restarts", () => {
  it("are never handed out twice, lie below the ephemeral range, and can be listened on", async () => {
    const ports = await Promise.all(Array.from({ length: 200 }, () => freePort()));
    expect(new Set(ports).size).toBe(ports.length);
    const ephemeralStart = Number(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]);
    for (const port of ports) expect(port).toBeLessThan(ephemeralStart);
    const server = createServer().listen(ports[0], "127.0.0.1");
    await once(server, "listening");
    await new Promise((resolve) => server.close(resolve));
  });
});

import { createServer } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browseGateways, gatewayUrlOf, probeGateway } from "../src/main/services/gateway-discovery.js";
import { pairGateway } from "../src/main/services/gateway-pairing.js";
import { TEST_PASSWORD } from "../../gateway/test/gateway-client.js";
import { startTestGateway } from "../../gateway/test/test-gateway.js";

let running: Awaited<ReturnType<typeof startTestGateway>>;

beforeAll(async () => {
  // On every interface, as on site: the address DNS-SD announces is the machine's own.
  running = await startTestGateway({ http: { host: "0.0.0.0", port: 0 }, discovery: { name: "Console discovery test" } });
});

afterAll(() => running.stop());

describe("finding gateways", () => {
  it("finds the gateway on the LAN by DNS-SD, with its id, version and HTTP address", async () => {
    const found = await browseGateways(3_000);
    const ours = found.find((gateway) => gateway.gatewayId === running.gateway.id);
    expect(ours).toMatchObject({
      name: "Console discovery test",
      port: running.gateway.httpPort,
      via: "dns-sd",
      version: expect.any(String) as string,
    });
    // The address it gives answers as the gateway.
    expect((await probeGateway(ours?.url ?? "")).via).toBe("address");
  });

  it("checks a typed address, and tells a gateway waiting for pairing from one asking for a login", async () => {
    const address = `127.0.0.1:${running.gateway.httpPort}`;
    expect(await probeGateway(address)).toMatchObject({ url: running.url, via: "address", needs: "pairing" });
    await pairGateway(running.url, { code: running.gateway.pairingCode ?? "", username: "tech", password: TEST_PASSWORD }, "t");
    expect(await probeGateway(`http://${address}/some/page`)).toMatchObject({ url: running.url, needs: "login" });
  });

  it("says what is wrong with an address that leads nowhere or to something else", async () => {
    await expect(probeGateway("not a host:xx")).rejects.toThrow(/is not an address/);
    const other = createServer((_req, res) => res.writeHead(404).end("no"));
    await new Promise<void>((resolve) => other.listen(0, "127.0.0.1", resolve));
    const { port } = other.address() as { port: number };
    await expect(probeGateway(`127.0.0.1:${port}`)).rejects.toThrow(/not as an IntelLedger gateway/);
    await new Promise((resolve) => other.close(resolve));
    await expect(probeGateway(`127.0.0.1:${port}`, 2_000)).rejects.toThrow(/nothing answered/);
  });

  it("takes a bare host name as the gateway's default port", () => {
    expect(gatewayUrlOf("gw.local").origin).toBe("http://gw.local:8080");
    expect(gatewayUrlOf("https://gw.plant.example").origin).toBe("https://gw.plant.example");
  });
});

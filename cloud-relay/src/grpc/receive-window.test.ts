import { readFileSync } from "node:fs";
import { connect, type ClientHttp2Session, type Settings } from "node:http2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRelayFixture, type RelayFixture } from "../../test/relay-fixture.js";

let fixture: RelayFixture;
beforeAll(async () => {
  fixture = await createRelayFixture();
}, 60_000);
afterAll(() => fixture.close());

/** An HTTP/2 connection to the relay as any TLS client makes one, and the settings the relay sent first. */
async function connectTo(port: number): Promise<{ session: ClientHttp2Session; settings: Settings }> {
  const tls = await fixture.gatewayTls("0x00000000000000000000000000000000000000aa");
  const session = connect(`https://127.0.0.1:${port}`, {
    ca: readFileSync(tls.caCertFile),
    cert: readFileSync(tls.certFile),
    key: readFileSync(tls.keyFile),
  });
  const settings = await new Promise<Settings>((resolve, reject) => {
    session.once("remoteSettings", resolve);
    session.once("error", reject);
  });
  return { session, settings };
}

describe("the relay's HTTP/2 receive window", () => {
  it.each([
    { name: "1 MiB by default, not HTTP/2's 65,535 bytes", upload: { hashThreads: 1 }, stream: 1_048_576 },
    { name: "as configured", upload: { hashThreads: 1, receiveWindowBytes: 2_097_152 }, stream: 2_097_152 },
  ])("lets a client send $name per stream, and twice it per connection, before the relay reads", async ({ upload, stream }) => {
    const relay = await fixture.startRelay({ upload });
    const { session, settings } = await connectTo(relay.port);
    try {
      expect(settings.initialWindowSize).toBe(stream);
      await expect.poll(() => session.state.remoteWindowSize, { timeout: 5_000 }).toBe(2 * stream);
    } finally {
      session.destroy();
    }
  });
});

// A gateway updated from an earlier version starts with the configuration it had, though that
// still names fields this version no longer reads (relay.api, from before receipts came over
// the relay's own channel).
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { gatewayConfigSchema, parseGatewayConfig, type GatewayConfig } from "../config.js";
import { ConfigHistory } from "./config-history.js";
import { scratchFolder } from "../../test/scratch-folder.js";

const RELAY = {
  address: "relay.example.com:50051",
  caCertFile: "/etc/ca.pem",
  certFile: "/etc/cert.pem",
  keyFile: "/etc/key.pem",
};
const RETIRED_API = { url: "http://relay.example.com:8081", tokenFile: "/etc/intelledger/relay-api.token" };
const dir = scratchFolder("retired-config-fields-", "all tests");

describe("a configuration written for an earlier version", () => {
  it("loads from its file without relay.api, which a new configuration may not name", () => {
    const config = parseGatewayConfig({ dataDir: dir(), relay: { ...RELAY, api: RETIRED_API } });
    expect(config.relay).toMatchObject(RELAY);
    expect(config.relay).not.toHaveProperty("api");
    const submitted = gatewayConfigSchema.safeParse({ dataDir: dir(), relay: { ...RELAY, api: RETIRED_API } });
    expect(submitted.success).toBe(false);
    expect(submitted.error?.issues[0]).toMatchObject({ code: "unrecognized_keys", keys: ["api"], path: ["relay"] });
  });

  it("keeps an applied revision that still has relay.api in force across a restart", () => {
    const logger = pino({ level: "silent" });
    const file = parseGatewayConfig({ dataDir: dir() });
    const history = new ConfigHistory(dir(), logger);
    history.startConfig(file);
    const enrolled = parseGatewayConfig({ dataDir: dir(), relay: RELAY });
    const stored = { ...enrolled, relay: { ...enrolled.relay, api: RETIRED_API } } as unknown as GatewayConfig;
    history.add({ actor: "technician", origin: "apply", status: "kept", config: stored });

    const restarted = new ConfigHistory(dir(), logger).startConfig(file);
    expect(restarted.relay).toEqual(enrolled.relay);
  });
});

import { describe, expect, it } from "vitest";
import { addressAllowed, normaliseAddress, parseCidr } from "./cidr-allowlist.js";

describe("a gateway's address allowlist", () => {
  it("takes IPv4 and IPv6 blocks and bare addresses, and sees IPv4 through IPv6 as IPv4", () => {
    const cidrs = ["10.0.0.0/8", "2001:db8::/32", "192.0.2.7"];
    expect(addressAllowed("10.200.3.4", cidrs)).toBe(true);
    expect(addressAllowed("::ffff:10.1.1.1", cidrs)).toBe(true);
    expect(addressAllowed("[2001:db8::1]", cidrs)).toBe(true);
    expect(addressAllowed("192.0.2.7", cidrs)).toBe(true);
    expect(addressAllowed("192.0.2.8", cidrs)).toBe(false);
    expect(addressAllowed("11.0.0.1", cidrs)).toBe(false);
    expect(addressAllowed("2001:db9::1", cidrs)).toBe(false);
    expect(addressAllowed("not-an-address", cidrs)).toBe(false);
    expect(normaliseAddress("[::1]")).toBe("::1");
  });

  it("refuses what is not a CIDR block, naming it", () => {
    expect(parseCidr("10.0.0.0/8")).toEqual({ address: "10.0.0.0", prefix: 8, family: "ipv4" });
    expect(() => parseCidr("10.0.0/8")).toThrow('"10.0.0/8" is not a CIDR block');
    expect(() => parseCidr("10.0.0.0/33")).toThrow('"10.0.0.0/33" has a prefix length outside 0 to 32');
    expect(() => parseCidr("2001:db8::/x")).toThrow("prefix length outside 0 to 128");
    expect(() => parseCidr("10.0.0.0/8/1")).toThrow("is not a CIDR block");
  });
});

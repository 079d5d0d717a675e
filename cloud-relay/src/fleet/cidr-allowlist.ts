import { BlockList, isIP } from "node:net";
import { RelayError } from "../errors.js";

/** The address as the allowlist compares it: no brackets, IPv4 seen through IPv6 as IPv4. */
export function normaliseAddress(address: string): string {
  const bare = address.replace(/^\[(.*)\]$/, "$1");
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  return mapped ? (mapped[1] as string) : bare;
}

/** Checks one CIDR block ("10.0.0.0/8", "2001:db8::/32"; a bare address is the block of that address alone); returns it canonical. */
export function parseCidr(text: string): { address: string; prefix: number; family: "ipv4" | "ipv6" } {
  const [address = "", prefixText, extra] = text.trim().split("/");
  const version = isIP(address);
  if (version === 0 || extra !== undefined) {
    throw new RelayError("invalid_argument", `"${text}" is not a CIDR block such as 10.0.0.0/8 or 2001:db8::/32`);
  }
  const bits = version === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? bits : Number(prefixText);
  if (!/^\d*$/.test(prefixText ?? "") || !Number.isInteger(prefix) || prefix < 0 || prefix > bits) {
    throw new RelayError("invalid_argument", `"${text}" has a prefix length outside 0 to ${bits}`);
  }
  return { address, prefix, family: version === 4 ? "ipv4" : "ipv6" };
}

/** Whether `address` (a TLS peer's, without its port) lies in one of the blocks. */
export function addressAllowed(address: string, cidrs: readonly string[]): boolean {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const { address: network, prefix, family } = parseCidr(cidr);
    list.addSubnet(network, prefix, family);
  }
  const peer = normaliseAddress(address);
  const family = isIP(peer);
  return family !== 0 && list.check(peer, family === 4 ? "ipv4" : "ipv6");
}

import { hostname, networkInterfaces } from "node:os";

const REFRESH_MS = 30_000;

/** The host name of a Host header or an origin's host (`name:port`, `[v6]:port`), lower case. */
function hostnameOf(host: string): string | undefined {
  try {
    return new URL(`http://${host}`).hostname.replace(/^\[(.*)\]$/, "$1").toLowerCase();
  } catch {
    return undefined;
  }
}

/**
 * The names a browser may use for this gateway: loopback, the machine's host name (also
 * under .local, as mDNS announces it), every address of its interfaces, and the names the
 * configuration adds (`http.allowedHosts`, for a DNS name or a proxy in front). A page from
 * any other name is another site, even when DNS points that name at the gateway (DNS
 * rebinding), and is refused.
 */
export class HostAllowList {
  private readonly configured: string[];
  private names = new Set<string>();
  private refreshedAtMs = -Infinity;

  constructor(configured: readonly string[]) {
    this.configured = configured.map((name) => name.toLowerCase());
  }

  /** Whether a Host header (or an origin's host) names this gateway. */
  allows(host: string | undefined): boolean {
    const name = host === undefined ? undefined : hostnameOf(host);
    return name !== undefined && this.current().has(name);
  }

  private current(): Set<string> {
    const now = Date.now();
    if (now - this.refreshedAtMs > REFRESH_MS) {
      const machine = hostname().toLowerCase();
      const addresses = Object.values(networkInterfaces()).flatMap((list) =>
        (list ?? []).map((entry) => entry.address.replace(/%.*$/, "").toLowerCase()),
      );
      this.names = new Set(["localhost", "127.0.0.1", "::1", machine, `${machine}.local`, ...addresses, ...this.configured]);
      this.refreshedAtMs = now;
    }
    return this.names;
  }
}

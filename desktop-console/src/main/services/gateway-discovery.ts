import { Bonjour, type Service } from "bonjour-service";
import type { DiscoveredGateway } from "../../shared/bridge-types.js";

/** The DNS-SD service type gateways announce (their `discovery` configuration). */
export const GATEWAY_SERVICE_TYPE = "intelledger";
const DEFAULT_HTTP_PORT = 8080;

function txtOf(service: Service): Record<string, string> {
  return (service.txt ?? {}) as Record<string, string>;
}

function urlOf(host: string, port: number): string {
  return `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
}

/**
 * Browses the LAN for gateways by multicast DNS-SD for `timeoutMs` and answers each one
 * found once (by its id), reachable at its first IPv4 address, else its host name.
 */
export async function browseGateways(timeoutMs: number): Promise<DiscoveredGateway[]> {
  const bonjour = new Bonjour();
  const found = new Map<string, DiscoveredGateway>();
  try {
    const browser = bonjour.find({ type: GATEWAY_SERVICE_TYPE }, (service: Service) => {
      const txt = txtOf(service);
      const host = service.addresses?.find((address) => !address.includes(":")) ?? service.host;
      const port = Number(txt["http"] ?? service.port);
      found.set(txt["id"] ?? `${host}:${port}`, {
        name: service.name,
        url: urlOf(host, port),
        host,
        port,
        gatewayId: txt["id"],
        version: txt["version"],
        via: "dns-sd",
        needs: undefined,
      });
    });
    await new Promise((resolve) => setTimeout(resolve, timeoutMs));
    browser.stop();
  } finally {
    await new Promise<void>((resolve) => bonjour.destroy(() => resolve()));
  }
  return [...found.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** `gw.local`, `10.0.0.5:8081`, `http://gw:8080/`: the gateway's base URL. */
export function gatewayUrlOf(address: string): URL {
  const text = address.trim();
  const url = new URL(/^https?:\/\//i.test(text) ? text : `http://${text}`);
  if (!url.port && url.protocol === "http:") url.port = String(DEFAULT_HTTP_PORT);
  url.pathname = "/";
  url.search = "";
  url.hash = "";
  return url;
}

/**
 * Checks that a gateway answers at an address a technician typed: its health check, and
 * whether it still waits for its first account (its start page sends a visitor to /pair).
 */
export async function probeGateway(address: string, timeoutMs = 5_000): Promise<DiscoveredGateway> {
  let url: URL;
  try {
    url = gatewayUrlOf(address);
  } catch {
    throw new Error(`"${address}" is not an address: type a host name or IP address, with :port if not 8080`);
  }
  const base = url.origin;
  const signal = AbortSignal.timeout(timeoutMs);
  let health: Response;
  try {
    health = await fetch(`${base}/healthz`, { signal });
  } catch (error) {
    throw new Error(
      `nothing answered at ${base} (${(error as Error).message}): check the address and that this computer is on the gateway's network`,
      { cause: error },
    );
  }
  const body = (await health.json().catch(() => undefined)) as { status?: string } | undefined;
  if (!health.ok || body?.status !== "ok") {
    throw new Error(`${base} answered, but not as an IntelLedger gateway (GET /healthz gave ${health.status})`);
  }
  const start = await fetch(`${base}/`, { redirect: "manual", signal });
  const location = start.headers.get("location") ?? "";
  return {
    name: url.hostname,
    url: base,
    host: url.hostname,
    port: Number(url.port),
    gatewayId: undefined,
    version: undefined,
    via: "address",
    needs: location.endsWith("/pair") ? "pairing" : "login",
  };
}

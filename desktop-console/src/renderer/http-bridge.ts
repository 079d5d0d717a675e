import type {
  BridgeAnswer,
  BridgeChannel,
  BridgeError,
  BridgeEvent,
  BridgeHandlers,
  ConsoleBridge,
  DiscoveredGateway,
  SessionInfo,
} from "../shared/bridge-types.js";
import { describeApiError, GatewayApi, GatewayApiError } from "../shared/gateway-api.js";
import { gatewayHandlers } from "../shared/gateway-handlers.js";
import { refusalOf } from "../shared/gateway-refusal.js";

const LIVE_EVENTS = ["reading", "anomaly", "alert", "device", "batch", "proof", "ack", "dropped"];
const APP_ONLY =
  "runs in the desktop app only: a browser cannot open this computer's serial ports. Install the console app, or " +
  "provision the device on one of the gateway's own USB ports (POST /api/devices/provision)";

/**
 * The bridge of the console served by a gateway at /console, for a browser: the same requests,
 * answered by the gateway that served the page, logged in with its session cookie. What only
 * the app can do (the LAN, saved tokens, this computer's USB ports) is refused, saying so.
 */
export function httpBridge(origin: string): ConsoleBridge {
  const api = new GatewayApi({ baseUrl: origin });
  const listeners = new Set<(event: BridgeEvent) => void>();
  const emit = (event: BridgeEvent) => listeners.forEach((listener) => listener(event));
  let live: EventSource | undefined;

  const probe = async (): Promise<DiscoveredGateway> => {
    // The gateway's start page sends a visitor to /pair until it has an account, else to /login.
    const start = await fetch(`${origin}/`);
    const host = new URL(origin);
    return {
      name: host.host,
      url: origin,
      host: host.hostname,
      port: Number(host.port || (host.protocol === "https:" ? 443 : 80)),
      gatewayId: undefined,
      version: undefined,
      via: "address",
      needs: new URL(start.url).pathname === "/pair" ? "pairing" : "login",
    };
  };

  const session = async (response: Response, what: string): Promise<SessionInfo> => {
    if (!response.ok) throw await refusalOf(response, what);
    const me = (await response.json()) as { username: string; role: string };
    return { profile: { id: "browser", gatewayUrl: origin, username: me.username, savedAtMs: Date.now() }, role: me.role };
  };
  const post = (path: string, body: unknown) =>
    fetch(`${origin}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

  const handlers: BridgeHandlers = {
    "discovery.browse": async () => [await probe()],
    "discovery.probe": () => probe(),
    // The browser keeps its session in the gateway's cookie: the open session is the one "saved connection".
    "profiles.list": async () => {
      const me = await fetch(`${origin}/api/auth/me`);
      return me.ok ? [(await session(me, "")).profile] : [];
    },
    "profiles.forget": async () => {
      await post("/api/auth/logout", {});
      return null;
    },
    "session.pair": ({ code, username, password }) =>
      post("/api/auth/pair", { code: code.trim(), username, password }).then((response) => session(response, "pairing")),
    "session.login": ({ username, password }) =>
      post("/api/auth/login", { username, password }).then((response) => session(response, "logging in")),
    "session.open": () => fetch(`${origin}/api/auth/me`).then((response) => session(response, "opening the session")),
    "session.close": async () => {
      live?.close();
      await post("/api/auth/logout", {});
      return null;
    },
    ...gatewayHandlers(() => api),
    "usb.ports": () => Promise.reject(new Error(`Listing USB ports ${APP_ONLY}`)),
    "usb.provision": () => Promise.reject(new Error(`USB provisioning ${APP_ONLY}`)),
    "live.start": ({ maxReadingsPerSecond }) => {
      if (!live) {
        live = new EventSource(
          `${origin}/api/live${maxReadingsPerSecond ? `?maxReadingsPerSecond=${maxReadingsPerSecond}` : ""}`,
        );
        emit({ kind: "live-state", state: "connecting", detail: "" });
        live.onopen = () => emit({ kind: "live-state", state: "open", detail: "" });
        // EventSource connects again by itself.
        live.onerror = () => emit({ kind: "live-state", state: "closed", detail: "the stream dropped; connecting again" });
        for (const type of LIVE_EVENTS) {
          live.addEventListener(type, (event) =>
            emit({ kind: "live", type, data: JSON.parse((event as MessageEvent<string>).data) as Record<string, unknown> }),
          );
        }
      }
      return Promise.resolve(null);
    },
    "live.stop": () => {
      live?.close();
      live = undefined;
      return Promise.resolve(null);
    },
  };

  const failure = (error: unknown): BridgeError =>
    error instanceof GatewayApiError
      ? describeApiError(error)
      : { message: error instanceof Error ? error.message : String(error), code: "failed" };

  return {
    invoke: async <C extends BridgeChannel>(channel: C, input: Parameters<BridgeHandlers[C]>[0]) => {
      const handler = handlers[channel] as (input: unknown) => Promise<unknown>;
      try {
        return { ok: true, value: await handler(input) } as BridgeAnswer<C>;
      } catch (error) {
        return { ok: false, error: failure(error) };
      }
    },
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

import type { BridgeEvent, BridgeHandlers, SessionInfo } from "../shared/bridge-types.js";
import { GatewayApi } from "../shared/gateway-api.js";
import { gatewayHandlers } from "../shared/gateway-handlers.js";
import { ConnectionProfiles } from "./services/connection-profiles.js";
import { browseGateways, gatewayUrlOf, probeGateway } from "./services/gateway-discovery.js";
import { loginGateway, pairGateway, type ConsoleLogin } from "./services/gateway-pairing.js";
import { LiveFeed } from "./services/live-feed.js";
import type { SecretStorage } from "./services/secret-storage.js";
import { UsbProvisioning } from "./services/usb-provisioning.js";

export interface ConsoleServicesOptions {
  /** Where connection profiles are kept (the app's user data folder). */
  profilesFile: string;
  secrets: SecretStorage;
  /** Pushes an event to the renderer. */
  emit: (event: BridgeEvent) => void;
  /** Names the console's API tokens on the gateway (the computer's name). */
  tokenLabel: string;
  usb?: UsbProvisioning;
}

interface OpenSession {
  info: SessionInfo;
  api: GatewayApi;
  token: string;
  live: LiveFeed | undefined;
}

/**
 * The main process's services behind the bridge: discovery, saved connections, pairing and
 * login, the connected gateway's API, the live stream and USB provisioning. One gateway is
 * connected at a time.
 */
export class ConsoleServices {
  private readonly profiles: ConnectionProfiles;
  private readonly usb: UsbProvisioning;
  private session: OpenSession | undefined;

  constructor(private readonly options: ConsoleServicesOptions) {
    this.profiles = new ConnectionProfiles(options.profilesFile, options.secrets);
    this.usb = options.usb ?? new UsbProvisioning();
  }

  /** The origin of the connected gateway: the only one the window may navigate to. */
  get connectedOrigin(): string | undefined {
    return this.session && new URL(this.session.api.baseUrl).origin;
  }

  close(): void {
    this.session?.live?.stop();
    this.session = undefined;
  }

  private connected(): OpenSession {
    if (!this.session) throw new Error("no gateway connected: connect to one first");
    return this.session;
  }

  private open(base: string, login: ConsoleLogin): SessionInfo {
    const profile = this.profiles.save(base, login.username, login.token);
    return this.start(base, login.token, { profile, role: login.role });
  }

  private start(base: string, token: string, info: SessionInfo): SessionInfo {
    this.close();
    this.session = { info, api: new GatewayApi({ baseUrl: base, token }), token, live: undefined };
    return info;
  }

  readonly handlers: BridgeHandlers = {
    "discovery.browse": ({ timeoutMs }) => browseGateways(timeoutMs),
    "discovery.probe": ({ address }) => probeGateway(address),
    "profiles.list": () => Promise.resolve(this.profiles.list()),
    "profiles.forget": ({ id }) => {
      this.profiles.forget(id);
      return Promise.resolve(null);
    },
    "session.pair": async ({ gatewayUrl, ...request }) => {
      const base = gatewayUrlOf(gatewayUrl).origin;
      return this.open(base, await pairGateway(base, request, this.options.tokenLabel));
    },
    "session.login": async ({ gatewayUrl, ...request }) => {
      const base = gatewayUrlOf(gatewayUrl).origin;
      return this.open(base, await loginGateway(base, request, this.options.tokenLabel));
    },
    "session.open": async ({ id }) => {
      const { profile, token } = this.profiles.open(id);
      const me = await new GatewayApi({ baseUrl: profile.gatewayUrl, token }).me();
      return this.start(profile.gatewayUrl, token, { profile, role: me.role });
    },
    "session.close": () => {
      this.close();
      return Promise.resolve(null);
    },
    ...gatewayHandlers(() => this.connected().api),
    "usb.ports": () => this.usb.ports(),
    "usb.provision": (request) =>
      this.usb.provision(this.connected().api, request, (progress) => this.options.emit({ kind: "provisioning", progress })),
    "live.start": ({ maxReadingsPerSecond }) => {
      const session = this.connected();
      if (!session.live) {
        const query = maxReadingsPerSecond ? `?maxReadingsPerSecond=${maxReadingsPerSecond}` : "";
        session.live = new LiveFeed(`${session.api.baseUrl}/api/live${query}`, session.token, this.options.emit);
        session.live.start();
      }
      return Promise.resolve(null);
    },
    "live.stop": () => {
      this.session?.live?.stop();
      if (this.session) this.session.live = undefined;
      return Promise.resolve(null);
    },
  };
}

import type { AuditEntry, BridgeOutputs, ConfigDocument, ConfigIssue, DeviceView, GatewayStatus } from "./bridge-types.js";

/** A refusal from the gateway's API: its status, its message and the fields it named. */
export class GatewayApiError extends Error {
  readonly status: number;
  readonly issues: ConfigIssue[];

  constructor(status: number, message: string, issues: ConfigIssue[] = []) {
    super(message);
    this.name = "GatewayApiError";
    this.status = status;
    this.issues = issues;
  }
}

/** How requests reach the gateway: with the console's API token, or (in a browser) the session cookie. */
export interface GatewayApiOptions {
  baseUrl: string;
  token?: string;
  fetch?: typeof fetch;
}

/**
 * The gateway's management API (GET /api/openapi.json describes it), the calls the console
 * makes. The main process uses it with the console's API token; a browser uses it with its
 * session cookie.
 */
export class GatewayApi {
  readonly baseUrl: string;
  private readonly token: string | undefined;
  private readonly fetch: typeof fetch;

  constructor(options: GatewayApiOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.token = options.token;
    this.fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: "application/json" };
    if (this.token) headers["authorization"] = `Bearer ${this.token}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    let response: Response;
    try {
      response = await this.fetch(this.baseUrl + path, {
        method,
        headers,
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
    } catch (error) {
      throw new GatewayApiError(0, `the gateway at ${this.baseUrl} did not answer (${(error as Error).message})`);
    }
    const text = await response.text();
    const json = text ? (JSON.parse(text) as unknown) : null;
    if (!response.ok) {
      const refusal = (json ?? {}) as { error?: string; issues?: ConfigIssue[] };
      throw new GatewayApiError(
        response.status,
        refusal.error ?? `${method} ${path} answered ${response.status}`,
        refusal.issues ?? [],
      );
    }
    return json as T;
  }

  status(): Promise<GatewayStatus> {
    return this.call("GET", "/api/status");
  }

  me(): Promise<{ username: string; role: string }> {
    return this.call("GET", "/api/auth/me");
  }

  devices(): Promise<DeviceView[]> {
    return this.call("GET", "/api/devices");
  }

  device(deviceId: string): Promise<DeviceView> {
    return this.call("GET", `/api/devices/${encodeURIComponent(deviceId)}`);
  }

  registerDevice(deviceId: string, publicKey: string): Promise<{ device: DeviceView }> {
    return this.call("POST", "/api/devices", { deviceId, publicKey });
  }

  deviceAction(deviceId: string, action: string, body: Record<string, unknown>): Promise<DeviceView> {
    return this.call("POST", `/api/devices/${encodeURIComponent(deviceId)}/${action}`, body);
  }

  commandKey(): Promise<{ commandPublicKey: string }> {
    return this.call("GET", "/api/devices/provision/command-key");
  }

  config(): Promise<ConfigDocument> {
    return this.call("GET", "/api/config");
  }

  configSchema(): Promise<Record<string, unknown>> {
    return this.call("GET", "/api/config/schema");
  }

  validateConfig(config: Record<string, unknown>): Promise<BridgeOutputs["config.validate"]> {
    return this.call("POST", "/api/config/validate", { config });
  }

  diffConfig(config: Record<string, unknown>): Promise<BridgeOutputs["config.diff"]> {
    return this.call("POST", "/api/config/diff", { config });
  }

  applyConfig(config: Record<string, unknown>, comment: string | undefined): Promise<BridgeOutputs["config.apply"]> {
    return this.call("PUT", "/api/config", { config, ...(comment && { comment }) });
  }

  configHistory(): Promise<BridgeOutputs["config.history"]> {
    return this.call("GET", "/api/config/history");
  }

  revertConfig(revision: number): Promise<BridgeOutputs["config.revert"]> {
    return this.call("POST", "/api/config/revert", { revision });
  }

  enroll(body: { relayAddress: string; token: string; relayCaFingerprint: string }): Promise<BridgeOutputs["uplink.enroll"]> {
    return this.call("POST", "/api/uplink/enroll", body);
  }

  audit(limit: number): Promise<AuditEntry[]> {
    return this.call("GET", `/api/audit?limit=${limit}`);
  }
}

import type {
  AuditEntry,
  BatchesPage,
  BridgeError,
  BridgeOutputs,
  ConfigDocument,
  ConfigIssue,
  DeviceSettings,
  DeviceView,
  GatewayStatus,
  InferenceState,
} from "./bridge-types.js";

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

/** A failure of a call to the gateway as the console shows it, with what to do next. */
export function describeApiError(error: GatewayApiError): BridgeError {
  const hint =
    error.status === 401
      ? "the login is no longer valid: connect to the gateway again"
      : error.status === 403
        ? "your account's role does not allow this: ask a technician"
        : error.status === 0
          ? "check the network and that the gateway runs"
          : undefined;
  return { message: error.message, code: String(error.status), issues: error.issues, ...(hint && { hint }) };
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

  putDeviceSettings(deviceId: string, settings: DeviceSettings): Promise<DeviceView> {
    return this.call("PUT", `/api/devices/${encodeURIComponent(deviceId)}/settings`, settings);
  }

  inference(): Promise<InferenceState> {
    return this.call("GET", "/api/inference");
  }

  swapModel(version: number): Promise<{ version: string }> {
    return this.call("POST", "/api/inference/swap", { version });
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

  batches(limit: number, beforeSequence: number | undefined): Promise<BatchesPage> {
    return this.call("GET", `/api/batches?limit=${limit}${beforeSequence ? `&beforeSequence=${beforeSequence}` : ""}`);
  }

  receipt(gatewaySeq: number): Promise<Record<string, unknown>> {
    return this.call("GET", `/api/receipts/${gatewaySeq}`);
  }

  verifyReceipt(gatewaySeq: number, rpcUrl: string | undefined): Promise<BridgeOutputs["proofs.verify"]> {
    return this.call("POST", `/api/receipts/${gatewaySeq}/verify`, rpcUrl ? { rpcUrl } : {});
  }
}

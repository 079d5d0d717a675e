import { request as httpRequest } from "node:http";

export const TEST_PASSWORD = "correct horse battery";

type RequestOptions = RequestInit & { json?: unknown; cookie?: string; token?: string };

/** The session cookie a response set, as a `Cookie` header value. */
export function sessionCookieOf(response: Response): string {
  const cookie = response.headers.get("set-cookie") ?? "";
  if (!/^intelledger_session=ils_[^;]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+$/.test(cookie)) {
    throw new Error(`no session cookie in ${JSON.stringify(cookie)}`);
  }
  return cookie.split(";")[0] ?? "";
}

/** Talks to a gateway's HTTP server as a browser or a script would. */
export class GatewayClient {
  readonly base: string;

  constructor(port: number) {
    this.base = `http://127.0.0.1:${port}`;
  }

  request(path: string, init: RequestOptions = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (init.json !== undefined) headers.set("content-type", "application/json");
    if (init.cookie) headers.set("cookie", init.cookie);
    if (init.token) headers.set("authorization", `Bearer ${init.token}`);
    return fetch(this.base + path, {
      ...init,
      headers,
      redirect: "manual",
      ...(init.json !== undefined && { body: JSON.stringify(init.json) }),
    });
  }

  form(path: string, fields: Record<string, string>, cookie?: string): Promise<Response> {
    return this.request(path, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(fields).toString(),
      ...(cookie && { cookie }),
    });
  }

  /** Creates the first account with the pairing code; returns its session cookie. */
  async pair(code: string, username: string, password = TEST_PASSWORD): Promise<string> {
    const response = await this.request("/api/auth/pair", { method: "POST", json: { code, username, password } });
    if (response.status !== 201) throw new Error(`pairing failed: ${response.status} ${await response.text()}`);
    return sessionCookieOf(response);
  }

  async createAccount(cookie: string, username: string, role: string, password = TEST_PASSWORD): Promise<void> {
    const response = await this.request("/api/accounts", { method: "POST", cookie, json: { username, password, role } });
    if (response.status !== 201) throw new Error(`creating ${username} failed: ${response.status} ${await response.text()}`);
  }

  async login(username: string, password = TEST_PASSWORD): Promise<string> {
    const response = await this.request("/api/auth/login", { method: "POST", json: { username, password } });
    if (response.status !== 200) throw new Error(`login failed: ${response.status} ${await response.text()}`);
    return sessionCookieOf(response);
  }

  async apiToken(cookie: string, label: string): Promise<string> {
    const response = await this.request("/api/auth/tokens", { method: "POST", cookie, json: { label } });
    return ((await response.json()) as { token: string }).token;
  }

  /** Pairs the gateway as the technician "tech", who adds the viewer "watcher"; an API token of each. */
  async pairWithViewer(pairingCode: string, label: string): Promise<{ technician: string; viewer: string }> {
    const cookie = await this.pair(pairingCode, "tech");
    const technician = await this.apiToken(cookie, label);
    await this.createAccount(cookie, "watcher", "viewer");
    return { technician, viewer: await this.apiToken(await this.login("watcher"), "viewer") };
  }

  /** Tries a WebSocket handshake; resolves with the HTTP status (101 when it was accepted). */
  upgrade(path: string, headers: Record<string, string> = {}): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = httpRequest(this.base + path, {
        headers: {
          connection: "Upgrade",
          upgrade: "websocket",
          "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
          "sec-websocket-version": "13",
          ...headers,
        },
      });
      req.on("upgrade", (response, socket) => {
        socket.destroy();
        resolve(response.statusCode ?? 0);
      });
      req.on("response", (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      req.on("error", reject);
      req.end();
    });
  }
}

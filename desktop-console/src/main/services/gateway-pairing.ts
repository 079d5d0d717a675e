import { refusalOf } from "../../shared/gateway-refusal.js";

/**
 * First contact with a gateway: pairing with its one-time code (which creates its first
 * account, a technician) or logging in, then an API token for this console. The session the
 * login opened ends once the token is issued; the console works with the token alone.
 */

export interface ConsoleLogin {
  token: string;
  username: string;
  role: string;
}

function sessionCookie(response: Response): string {
  const cookie = (response.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  if (!cookie.startsWith("intelledger_session=")) throw new Error("the gateway started no session");
  return cookie;
}

async function tokenFor(base: string, started: Response, label: string): Promise<ConsoleLogin> {
  const cookie = sessionCookie(started);
  const { username, role } = (await started.json()) as { username: string; role: string };
  const issued = await fetch(`${base}/api/auth/tokens`, {
    method: "POST",
    headers: { cookie, "content-type": "application/json" },
    body: JSON.stringify({ label }),
  });
  if (issued.status !== 201) throw await refusalOf(issued, "issuing the console's API token");
  const { token } = (await issued.json()) as { token: string };
  await fetch(`${base}/api/auth/logout`, { method: "POST", headers: { cookie } });
  return { token, username, role };
}

async function post(base: string, path: string, body: unknown): Promise<Response> {
  try {
    return await fetch(`${base}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  } catch (error) {
    throw new Error(`the gateway at ${base} did not answer (${(error as Error).message}): check the address and the network`, {
      cause: error,
    });
  }
}

/** Creates the gateway's first account with its pairing code, then a token for the console. */
export async function pairGateway(
  base: string,
  request: { code: string; username: string; password: string },
  label: string,
): Promise<ConsoleLogin> {
  const started = await post(base, "/api/auth/pair", {
    code: request.code.trim(),
    username: request.username,
    password: request.password,
  });
  if (started.status !== 201) throw await refusalOf(started, "pairing");
  return tokenFor(base, started, label);
}

/** Logs in with an account the gateway has, then issues a token for the console. */
export async function loginGateway(
  base: string,
  request: { username: string; password: string },
  label: string,
): Promise<ConsoleLogin> {
  const started = await post(base, "/api/auth/login", request);
  if (started.status !== 200) throw await refusalOf(started, "logging in");
  return tokenFor(base, started, label);
}

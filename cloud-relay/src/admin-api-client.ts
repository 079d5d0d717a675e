// How the `relay` command reaches a running relay's admin HTTP API: its address and bearer
// token, from the command line, the environment, or the relay's configuration file.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { RelayConfig } from "./config.js";
import { RelayError } from "./errors.js";

export interface AdminApiTarget {
  /** http://host:port of the relay's API. */
  url: string;
  token: string;
}

function readToken(path: string): string {
  try {
    return readFileSync(path, "utf8").trim();
  } catch (cause) {
    throw new RelayError("invalid_argument", `cannot read the API token from ${path}: ${(cause as Error).message}`);
  }
}

/**
 * The API to talk to: `--api` or the configuration's api section (a relay listening on every
 * address is asked on 127.0.0.1); the token from `--token-file`, RELAY_API_TOKEN, or the
 * configuration's api.tokenFile (default <dataDir>/api.token).
 */
export function adminApiTarget(options: {
  api: string | undefined;
  tokenFile: string | undefined;
  config: RelayConfig | undefined;
  env: NodeJS.ProcessEnv;
}): AdminApiTarget {
  const { api, tokenFile, config, env } = options;
  let url = api;
  if (url === undefined && config) {
    const host = config.api.host === "0.0.0.0" || config.api.host === "::" ? "127.0.0.1" : config.api.host;
    url = `http://${host.includes(":") ? `[${host}]` : host}:${config.api.port}`;
  }
  if (url === undefined)
    throw new RelayError("invalid_argument", "say which relay: --api http://host:port, or --config <file.json>");
  if (!/^https?:\/\//.test(url)) throw new RelayError("invalid_argument", `--api must be an http:// or https:// URL, not ${url}`);
  let token: string | undefined;
  if (tokenFile !== undefined) token = readToken(tokenFile);
  else if (env.RELAY_API_TOKEN) token = env.RELAY_API_TOKEN.trim();
  else if (config) token = readToken(config.api.tokenFile ?? join(config.dataDir, "api.token"));
  if (token === undefined) {
    throw new RelayError("invalid_argument", "no API token: give --token-file, set RELAY_API_TOKEN, or give --config");
  }
  return { url: url.replace(/\/+$/, ""), token };
}

/** One request to the admin API; the JSON answer, or a RelayError with the API's own error and status. */
export async function callAdminApi(target: AdminApiTarget, method: string, path: string, body?: unknown): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(`${target.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${target.token}`, ...(body !== undefined && { "content-type": "application/json" }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
  } catch (cause) {
    throw new RelayError("unavailable", `the relay's API at ${target.url} did not answer: ${(cause as Error).message}`);
  }
  const text = await response.text();
  let answer: unknown;
  try {
    answer = text === "" ? undefined : JSON.parse(text);
  } catch {
    answer = text;
  }
  if (response.ok) return answer;
  const said = (answer as { error?: unknown } | undefined)?.error;
  if (response.status === 401) throw new RelayError("unauthenticated", `the relay at ${target.url} refused the API token (401)`);
  throw new RelayError(
    "failed_precondition",
    `${method} ${path}: ${typeof said === "string" ? said : `HTTP ${response.status}`} (${response.status})`,
  );
}

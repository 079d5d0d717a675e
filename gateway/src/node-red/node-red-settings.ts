import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { IntelLedgerGatewayApi } from "node-red-contrib-intelledger/gateway-api";
import type { Logger } from "pino";
import type { GatewayAuth } from "../auth/gateway-auth.js";
import { nodeRedPermissions } from "../auth/roles.js";
import { EDITOR_PATH } from "../http/gateway-http.js";
import { flowStorageWithBackups } from "./flow-storage.js";
import { nodeRedLogging } from "./node-red-log.js";

/** The header the editor gate passes the caller's gateway token in; Node-RED checks it with `adminAuth.tokens`. */
export const NODE_RED_TOKEN_HEADER = "x-intelledger-token";

/** Core nodes that would give a flow a shell or the gateway's files, its keys among them. */
const EXCLUDED_CORE_NODES = ["90-exec.js", "10-file.js", "23-watch.js"];

/** Node-RED encrypts flow credentials with this; kept beside the flows, readable by the gateway only. */
function credentialSecret(userDir: string): string {
  const file = join(userDir, "credential-secret");
  if (!existsSync(file)) {
    writeFileSync(file, `${randomBytes(32).toString("hex")}\n`, { mode: 0o600, flag: "wx" });
  }
  chmodSync(file, 0o600);
  return readFileSync(file, "utf8").trim();
}

function nodeRedUser(username: string, role: Parameters<typeof nodeRedPermissions>[0]) {
  return { username, permissions: nodeRedPermissions(role) };
}

/**
 * Node-RED's settings inside the gateway: files in the gateway's data folder, editor
 * and admin API under /flows behind gateway accounts, no palette installs, no
 * telemetry or update checks (gateways run offline), logs to the gateway's logger.
 */
export function nodeRedSettings(deps: {
  userDir: string;
  keepBackups: number;
  auth: GatewayAuth;
  api: IntelLedgerGatewayApi;
  uiPort: number;
  logger: Logger;
}) {
  mkdirSync(deps.userDir, { recursive: true, mode: 0o700 });
  const { auth } = deps;
  return {
    uiPort: deps.uiPort,
    userDir: deps.userDir,
    flowFile: "flows.json",
    flowFilePretty: true,
    credentialSecret: credentialSecret(deps.userDir),
    storageModule: flowStorageWithBackups({
      backupDir: join(deps.userDir, "flow-backups"),
      keep: deps.keepBackups,
      logger: deps.logger,
    }),
    httpAdminRoot: EDITOR_PATH,
    // Flows get no HTTP endpoints of their own: the gateway's API is the way in.
    httpNodeRoot: false,
    adminAuth: {
      type: "credentials",
      users: (username: string) => {
        const account = auth.accounts.get(username);
        return Promise.resolve(account ? nodeRedUser(account.username, account.role) : null);
      },
      // Logins go through the gateway (its login page, or the editor gate for Node-RED's dialog).
      authenticate: () => Promise.resolve(null),
      tokens: (token: string) => {
        const principal = auth.resolve(token);
        return Promise.resolve(principal ? nodeRedUser(principal.username, principal.role) : null);
      },
      tokenHeader: NODE_RED_TOKEN_HEADER,
    },
    logging: nodeRedLogging(deps.logger),
    telemetry: { enabled: false, updateNotification: false },
    diagnostics: { enabled: true, ui: true },
    runtimeState: { enabled: false, ui: false },
    externalModules: {
      autoInstall: false,
      palette: { allowInstall: false, allowUpload: false, allowUpdate: false },
      modules: { allowInstall: false },
    },
    functionExternalModules: false,
    // Function nodes run on the gateway's event loop; a runaway one is cut off after a second.
    globalFunctionTimeout: 1,
    nodesExcludes: EXCLUDED_CORE_NODES,
    editorTheme: {
      page: { title: "IntelLedger Edge · flows" },
      header: { title: "IntelLedger Edge" },
      tours: false,
      projects: { enabled: false },
      multiplayer: { enabled: false },
      palette: {
        editable: false,
        categories: ["IntelLedger", "subflows", "common", "function", "network", "sequence", "parser", "storage"],
      },
      logout: { redirect: "/login" },
    },
    intelledgerGateway: deps.api,
  };
}

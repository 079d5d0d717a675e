// @ts-check
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { EDITOR_IDENTITY_HEADER, verifyEditorIdentity } from "./editor-identity.js";
import { flowStorageWithBackups } from "./flow-storage.js";

/**
 * @typedef {import("../channel-messages.js").NodeRedStartConfig} NodeRedStartConfig
 * @typedef {import("../channel-messages.js").NodeRedLogLine} NodeRedLogLine
 * @typedef {import("../gateway-api.js").IntelLedgerGatewayApi} IntelLedgerGatewayApi
 * @typedef {{ level: number, msg: unknown, id?: string, type?: string, name?: string }} NodeRedLogMessage
 */

/** Core nodes that would give a flow a shell or the files of the process running it. */
const EXCLUDED_CORE_NODES = ["90-exec.js", "10-file.js", "23-watch.js"];

/**
 * Node-RED encrypts flow credentials with this; kept beside the flows, readable by this process's user only.
 * @param {string} userDir
 */
function credentialSecret(userDir) {
  const file = join(userDir, "credential-secret");
  if (!existsSync(file)) {
    writeFileSync(file, `${randomBytes(32).toString("hex")}\n`, { mode: 0o600, flag: "wx" });
  }
  chmodSync(file, 0o600);
  return readFileSync(file, "utf8").trim();
}

/**
 * @param {unknown} msg
 * @returns {string}
 */
function logText(msg) {
  if (msg instanceof Error) return msg.message;
  return typeof msg === "string" ? msg : JSON.stringify(msg);
}

/**
 * Node-RED's settings in the process the gateway supervises: files in its own folder,
 * editor and admin API behind the gateway (which vouches for the caller in a signed
 * header), no palette installs, no telemetry or update checks (gateways run offline),
 * log lines to the gateway, the gateway's API for the IntelLedger nodes.
 * @param {{
 *   config: NodeRedStartConfig,
 *   api: IntelLedgerGatewayApi,
 *   log(line: NodeRedLogLine): void,
 *   onFlows(revision: string): void,
 * }} deps
 */
export function nodeRedSettings({ config, api, log, onFlows }) {
  mkdirSync(config.userDir, { recursive: true, mode: 0o700 });
  const identityKey = Buffer.from(config.identityKey, "hex");
  return {
    userDir: config.userDir,
    flowFile: "flows.json",
    flowFilePretty: true,
    credentialSecret: credentialSecret(config.userDir),
    storageModule: flowStorageWithBackups({
      backupDir: join(config.userDir, "flow-backups"),
      keep: config.keepBackups,
      onFlows,
      onBackupFailed: (/** @type {unknown} */ error) =>
        log({ level: 20, msg: `could not back up the deployed flows: ${logText(error)}` }),
    }),
    httpAdminRoot: config.adminRoot,
    // Flows get no HTTP endpoints of their own: the gateway's API is the way in.
    httpNodeRoot: false,
    adminAuth: {
      type: "credentials",
      // Nobody logs in to Node-RED itself: the gateway does that and vouches for the caller.
      users: () => Promise.resolve(null),
      authenticate: () => Promise.resolve(null),
      tokens: (/** @type {string} */ identity) => Promise.resolve(verifyEditorIdentity(identityKey, identity)),
      tokenHeader: EDITOR_IDENTITY_HEADER,
    },
    logging: {
      gateway: {
        level: "info",
        metrics: false,
        audit: false,
        handler: () => (/** @type {NodeRedLogMessage} */ message) =>
          log({
            level: message.level,
            msg: logText(message.msg),
            node: message.id === undefined ? undefined : { id: message.id, type: message.type, name: message.name },
          }),
      },
    },
    telemetry: { enabled: false, updateNotification: false },
    diagnostics: { enabled: true, ui: true },
    runtimeState: { enabled: false, ui: false },
    externalModules: {
      autoInstall: false,
      palette: { allowInstall: false, allowUpload: false, allowUpdate: false },
      modules: { allowInstall: false },
    },
    functionExternalModules: false,
    // A synchronous runaway in a function node is cut off after a second; anything else
    // that holds the event loop stops the heartbeat, and the gateway restarts the process.
    globalFunctionTimeout: 1,
    nodesExcludes: EXCLUDED_CORE_NODES,
    safeMode: config.safeMode,
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
    intelledgerGateway: api,
  };
}

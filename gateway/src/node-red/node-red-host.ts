import type { Server } from "node:http";
import { createRequire } from "node:module";
import type { RequestHandler } from "express";
import type { IntelLedgerGatewayApi } from "node-red-contrib-intelledger/gateway-api";
import type { Logger } from "pino";
import type { AuditLog } from "../auth/audit-log.js";
import type { GatewayAuth } from "../auth/gateway-auth.js";
import { GatewayError } from "../errors.js";
import type { GatewayHttp } from "../http/gateway-http.js";
import { editorGate, editorUpgradeGate } from "./editor-gate.js";
import { nodeRedSettings } from "./node-red-settings.js";

export interface NodeRedHost {
  stop(): Promise<void>;
}

/** The part of Node-RED's embedding API the gateway uses. */
interface NodeRedRuntime {
  init(server: Server, settings: object): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  readonly httpAdmin: RequestHandler;
}

/** Node-RED keeps its runtime in module state: one instance per process. */
let hosted = false;

/**
 * Starts Node-RED inside the gateway, on the gateway's HTTP server under /flows. A
 * failure to start is thrown to the caller, which carries on without flows; /flows then
 * says the editor failed.
 */
export async function startNodeRed(deps: {
  http: GatewayHttp;
  userDir: string;
  keepBackups: number;
  auth: GatewayAuth;
  audit: AuditLog;
  api: IntelLedgerGatewayApi;
  logger: Logger;
}): Promise<NodeRedHost> {
  if (hosted) throw new GatewayError("Node-RED already runs in this process, for another gateway");
  hosted = true;
  const { http, logger } = deps;
  const upgradeGate = editorUpgradeGate(deps.auth, logger);
  http.setEditor("starting");
  try {
    // Loaded only when enabled: it costs about 45 MB. (Its DefinitelyTyped types would
    // bring the DOM's into the whole type check, hence the narrow interface above.)
    const RED = createRequire(import.meta.url)("node-red") as NodeRedRuntime;
    // Ahead of Node-RED's own upgrade listener, which RED.start adds.
    http.server.prependListener("upgrade", upgradeGate);
    RED.init(http.server, nodeRedSettings({ ...deps, uiPort: http.port }));
    await RED.start();
    http.setEditor(editorGate({ auth: deps.auth, audit: deps.audit, editor: RED.httpAdmin }));
    logger.info("Node-RED started");
    return {
      async stop() {
        http.setEditor("disabled");
        try {
          await RED.stop();
        } finally {
          http.server.removeListener("upgrade", upgradeGate);
          hosted = false;
        }
      },
    };
  } catch (error) {
    http.setEditor("failed");
    http.server.removeListener("upgrade", upgradeGate);
    hosted = false;
    throw new GatewayError("Node-RED did not start", {}, { cause: error });
  }
}

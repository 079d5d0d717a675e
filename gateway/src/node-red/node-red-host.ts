import type { IntelLedgerGatewayApi } from "node-red-contrib-intelledger/gateway-api";
import type { Logger } from "pino";
import type { AuditLog } from "../auth/audit-log.js";
import type { GatewayAuth } from "../auth/gateway-auth.js";
import type { GatewayConfig } from "../config.js";
import { GatewayError } from "../errors.js";
import { EDITOR_PATH, type GatewayHttp } from "../http/gateway-http.js";
import { editorGate, editorUpgradeGate } from "./editor-gate.js";
import { chooseFlowsUser, prepareFlowsFolder } from "./flows-user.js";
import { NodeRedSupervisor, type NodeRedStatus } from "./node-red-supervisor.js";

export interface NodeRedHost {
  status(): NodeRedStatus;
  stop(): Promise<void>;
}

/**
 * Starts Node-RED in a process of its own, as its own user where the gateway can switch
 * users, behind the gateway's login under /flows on the gateway's HTTP server. Resolves
 * once the editor answers; a failure to start is thrown to the caller, which carries on
 * without flows (/flows then says so).
 */
export async function startNodeRed({
  http,
  userDir,
  config,
  auth,
  audit,
  api,
  logger,
}: {
  http: GatewayHttp;
  userDir: string;
  config: GatewayConfig["http"]["nodeRed"];
  auth: GatewayAuth;
  audit: AuditLog;
  api: IntelLedgerGatewayApi;
  logger: Logger;
}): Promise<NodeRedHost> {
  http.setEditor("starting");
  let supervisor: NodeRedSupervisor;
  try {
    const user = chooseFlowsUser(config.user, logger);
    prepareFlowsFolder(userDir, user);
    supervisor = new NodeRedSupervisor({
      userDir,
      adminRoot: EDITOR_PATH,
      keepBackups: config.keepBackups,
      allowListeningNodes: config.allowListeningNodes,
      user,
      heartbeatTimeoutMs: config.heartbeatTimeoutMs,
      safeModeAfterCrashes: config.safeModeAfterCrashes,
      maxHeapMb: config.maxHeapMb,
      limits: config.limits,
      api,
      audit,
      logger,
    });
  } catch (error) {
    http.setEditor("failed");
    throw new GatewayError("Node-RED did not start", {}, { cause: error });
  }
  const upgradeGate = editorUpgradeGate({ auth, hosts: http.hosts, supervisor, logger });
  const status = () => supervisor.status();
  http.server.on("upgrade", upgradeGate);
  http.setEditor({
    handle: editorGate({ auth, audit, supervisor, allowListeningNodes: config.allowListeningNodes }),
    status,
  });
  const stop = async () => {
    http.server.removeListener("upgrade", upgradeGate);
    await supervisor.stop();
  };
  try {
    await supervisor.start();
  } catch (error) {
    http.setEditor("failed");
    await stop();
    throw new GatewayError("Node-RED did not start", {}, { cause: error });
  }
  return {
    status,
    async stop() {
      http.setEditor("disabled");
      await stop();
    },
  };
}

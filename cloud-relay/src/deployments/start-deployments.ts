import { join } from "node:path";
import type { Logger } from "pino";
import { createDeploymentService } from "./deployment-service.js";
import { deploymentRoutes } from "./deployment-routes.js";
import { loadOrCreateDeploymentSigner } from "./deployment-signer.js";
import { DeploymentStore } from "./deployment-store.js";

/** Deployments: the store, the gRPC service gateways call and the operators' HTTP routes. */
export async function startDeployments(options: { dataDir: string; caCertFile: string; caKeyFile: string; logger: Logger }) {
  const signer = await loadOrCreateDeploymentSigner(options);
  const store = new DeploymentStore(join(options.dataDir, "deployments.sqlite"), signer);
  return {
    store,
    service: createDeploymentService(store, options.logger),
    routes: deploymentRoutes(store),
    close: () => store.close(),
  };
}

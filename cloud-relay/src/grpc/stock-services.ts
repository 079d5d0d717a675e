import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Server } from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import { ReflectionService } from "@grpc/reflection";
import { HealthImplementation, protoPath as healthProtoPath } from "grpc-health-check";

/** The gateway service's full name, as health checks and reflection name it. */
export const RELAY_SERVICE_NAME = "intelledger.relay.v1.GatewayRelayService";

/** Where the relay's .proto files are: beside the proto package's sources. */
const PROTO_ROOT = join(dirname(fileURLToPath(import.meta.resolve("@intelledger/proto/relay"))), "..");

export interface StockServices {
  /** Whether the relay takes uploads: the health service answers SERVING or NOT_SERVING, for the server and the gateway service. */
  setServing(serving: boolean): void;
}

/**
 * What stock gRPC tooling expects of a server: the standard health checking protocol
 * (grpc.health.v1.Health, so grpc_health_probe and load balancers work) and server
 * reflection (so grpcurl lists and calls the services without the .proto files). Neither
 * asks for a client certificate. Health starts NOT_SERVING until the relay is ready.
 */
export function addStockServices(server: Server): StockServices {
  const health = new HealthImplementation({ "": "NOT_SERVING", [RELAY_SERVICE_NAME]: "NOT_SERVING" });
  health.addToServer(server);
  const services = ["relay.proto", "receipts.proto", "deployment.proto"].map((file) =>
    join(PROTO_ROOT, "intelledger/relay/v1", file),
  );
  const definition = loadSync([...services, healthProtoPath], {
    includeDirs: [PROTO_ROOT, dirname(healthProtoPath)],
  });
  new ReflectionService(definition).addToServer(server);
  return {
    setServing(serving) {
      const status = serving ? "SERVING" : "NOT_SERVING";
      health.setStatus("", status);
      health.setStatus(RELAY_SERVICE_NAME, status);
    },
  };
}

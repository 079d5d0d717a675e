// Stock tooling against a running relay: a client of the standard gRPC health checking
// protocol (what grpc_health_probe sends) and of server reflection (what grpcurl sends),
// each built from the standard .proto files alone, over TLS without a client certificate;
// and the fleet on the admin API once a gateway has called.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  credentials,
  loadPackageDefinition,
  type GrpcObject,
  type ServiceClientConstructor,
  type ServiceError,
} from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import { Wallet } from "ethers";
import { protoPath as healthProtoPath } from "grpc-health-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ProtoRelayClient } from "../test/proto-relay-client.js";
import { createRelayFixture, type RelayFixture } from "../test/relay-fixture.js";
import type { Relay } from "./relay.js";

const REFLECTION_PROTO = join(
  import.meta.dirname,
  "../../node_modules/@grpc/reflection/build/proto/grpc/reflection/v1/reflection.proto",
);

let fixture: RelayFixture;
let relay: Relay;
let address: string;

function clientOf(protoFile: string, servicePath: string[]): InstanceType<ServiceClientConstructor> {
  const loaded = loadPackageDefinition(loadSync(protoFile, { keepCase: true, defaults: true, oneofs: true, enums: String }));
  const Service = servicePath.reduce<unknown>((node, key) => (node as GrpcObject)[key], loaded) as ServiceClientConstructor;
  const tls = credentials.createSsl(readFileSync(fixture.config().tls.caCertFile));
  return new Service(address, tls, { "grpc.ssl_target_name_override": "localhost" });
}

beforeAll(async () => {
  fixture = await createRelayFixture();
  relay = await fixture.startRelay();
  address = `127.0.0.1:${relay.port}`;
}, 180_000);

afterAll(() => fixture?.close());

describe("stock tooling against a running relay", () => {
  it("answers the standard health check, for the server and for the gateway service by name", async () => {
    const health = clientOf(healthProtoPath, ["grpc", "health", "v1", "Health"]);
    const check = (service: string) =>
      new Promise<{ status: string }>((resolve, reject) =>
        (
          health as unknown as Record<
            string,
            (request: object, callback: (error: ServiceError | null, response: { status: string }) => void) => void
          >
        ).Check?.({ service }, (error, response) => (error ? reject(error) : resolve(response))),
      );
    expect(await check("")).toEqual({ status: "SERVING" });
    expect(await check("intelledger.relay.v1.GatewayRelayService")).toEqual({ status: "SERVING" });
    await expect(check("no.such.Service")).rejects.toMatchObject({ code: 5 });
    health.close();
  });

  it("lists its services over server reflection and describes the gateway service", async () => {
    const reflection = clientOf(REFLECTION_PROTO, ["grpc", "reflection", "v1", "ServerReflection"]);
    type Response = {
      list_services_response?: { service: { name: string }[] };
      file_descriptor_response?: { file_descriptor_proto: Buffer[] };
    };
    type Stream = { write(request: object): void; end(): void; on(event: string, listener: (value: never) => void): void };
    const stream = (reflection as unknown as { ServerReflectionInfo(): Stream }).ServerReflectionInfo();
    const responses: Response[] = [];
    const ended = new Promise<void>((resolve, reject) => {
      stream.on("data", (response: Response) => responses.push(response));
      stream.on("end", resolve);
      stream.on("error", reject);
    });
    stream.write({ list_services: "" });
    stream.write({ file_containing_symbol: "intelledger.relay.v1.GatewayRelayService" });
    stream.end();
    await ended;
    const names = responses[0]?.list_services_response?.service.map((service) => service.name);
    expect(names).toEqual(
      expect.arrayContaining([
        "intelledger.relay.v1.GatewayRelayService",
        "intelledger.relay.v1.ReceiptService",
        "grpc.health.v1.Health",
      ]),
    );
    const files = responses[1]?.file_descriptor_response?.file_descriptor_proto ?? [];
    expect(files.some((file) => Buffer.from(file).includes("GatewayRelayService"))).toBe(true);
    reflection.close();
  });

  it("shows a gateway that registered in the fleet, with where it called from", async () => {
    const signer = new Wallet(Wallet.createRandom().privateKey);
    const client = new ProtoRelayClient(address, await fixture.gatewayTls(signer.address));
    await client.register(signer);
    client.close();
    const token = readFileSync(join(fixture.config().dataDir, "api.token"), "utf8").trim();
    const response = await fetch(`http://127.0.0.1:${relay.apiPort}/v1/gateways/${signer.address}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ gatewayId: signer.address, state: "online", address: "127.0.0.1" });
    const list = (await (
      await fetch(`http://127.0.0.1:${relay.apiPort}/v1/gateways`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as { gateways: { gatewayId: string }[] };
    expect(list.gateways.map((gateway) => gateway.gatewayId)).toContain(signer.address);
  });
});

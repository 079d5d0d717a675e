import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestGateway, type TestGateway } from "../../test/test-gateway.js";

// The answers a client written from the API's documentation relies on when the relay or the
// chain is not configured; the whole way to a verified receipt runs in the console's journey.
let running: TestGateway;
let technician: string;
let viewer: string;

beforeAll(async () => {
  running = await startTestGateway({ proving: { enabled: true } });
  ({ technician, viewer } = await running.client.pairWithViewer(running.gateway.pairingCode ?? "", "proof routes test"));
});

afterAll(() => running.stop());

const json = async (response: Response) => ({
  status: response.status,
  body: (await response.json()) as Record<string, unknown>,
});

describe("the gateway's batches and receipts API", () => {
  it("lists batches, saying receipts need a relay and checks the chain", async () => {
    expect(await json(await running.client.request("/api/batches?limit=5", { token: viewer }))).toEqual({
      status: 200,
      body: { batches: [], receipts: { fromRelay: false } },
    });
    const refused = await json(await running.client.request("/api/batches?limit=0", { token: viewer }));
    expect(refused.status).toBe(400);
    expect(refused.body["error"]).toMatch(/limit/);
  });

  it("says what is missing for a receipt and for its check", async () => {
    const receipt = await json(await running.client.request("/api/receipts/1", { token: viewer }));
    expect(receipt.status).toBe(409);
    expect(receipt.body["error"]).toMatch(/no relay to fetch receipts from: enroll it with a relay/);
    const check = await json(
      await running.client.request("/api/receipts/1/verify", { method: "POST", token: technician, json: {} }),
    );
    expect(check.status).toBe(409);
    expect(check.body["error"]).toMatch(/set chain\.rpcUrl and chain\.deploymentFile/);
  });

  it("refuses a malformed reading number or RPC URL, and a viewer's check", async () => {
    const sequence = await json(await running.client.request("/api/receipts/first", { token: viewer }));
    expect(sequence.status).toBe(400);
    expect(sequence.body["issues"]).toEqual([expect.objectContaining({ path: "params.gatewaySeq" })]);
    const rpc = await json(
      await running.client.request("/api/receipts/1/verify", {
        method: "POST",
        token: technician,
        json: { rpcUrl: "ftp://chain" },
      }),
    );
    expect(rpc.status).toBe(400);
    expect(rpc.body["issues"]).toEqual([{ path: "body.rpcUrl", message: "must start with http:// or https://" }]);
    const byViewer = await running.client.request("/api/receipts/1/verify", { method: "POST", token: viewer, json: {} });
    expect(byViewer.status).toBe(403);
  });

  it("describes the routes in the OpenAPI document", async () => {
    const document = (await (await running.client.request("/api/openapi.json", { token: viewer })).json()) as {
      paths: Record<string, Record<string, { "x-role": string }>>;
    };
    expect(document.paths["/api/batches"]?.["get"]?.["x-role"]).toBe("viewer");
    expect(document.paths["/api/receipts/{gatewaySeq}"]?.["get"]?.["x-role"]).toBe("viewer");
    expect(document.paths["/api/receipts/{gatewaySeq}/verify"]?.["post"]?.["x-role"]).toBe("technician");
  });
});

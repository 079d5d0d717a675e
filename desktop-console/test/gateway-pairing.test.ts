import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayApi } from "../src/shared/gateway-api.js";
import { loginGateway, pairGateway } from "../src/main/services/gateway-pairing.js";
import { TEST_PASSWORD } from "../../gateway/test/gateway-client.js";
import { startTestGateway } from "../../gateway/test/test-gateway.js";

let running: Awaited<ReturnType<typeof startTestGateway>>;

beforeAll(async () => {
  running = await startTestGateway();
});

afterAll(() => running.stop());

describe("pairing and logging in", () => {
  it("refuses a wrong pairing code, saying so; the right one makes the first account and a token that works", async () => {
    await expect(
      pairGateway(running.url, { code: "AAAA-BBBB-CCCC", username: "tech", password: TEST_PASSWORD }, "console"),
    ).rejects.toThrow(/pairing refused/);

    const login = await pairGateway(
      running.url,
      { code: running.gateway.pairingCode ?? "", username: "tech", password: TEST_PASSWORD },
      "console on test",
    );
    expect(login).toMatchObject({ username: "tech", role: "technician", token: expect.stringMatching(/^ilt_/) as string });
    expect(await new GatewayApi({ baseUrl: running.url, token: login.token }).me()).toMatchObject({ username: "tech" });
    // The session opened to issue the token is closed: only the token remains.
    const tokens = await new GatewayApi({ baseUrl: running.url, token: login.token }).call<{ kind: string; label: string }[]>(
      "GET",
      "/api/auth/tokens",
    );
    expect(tokens.map((token) => `${token.kind}:${token.label}`)).toEqual(["api:console on test"]);

    // The code works once.
    await expect(
      pairGateway(running.url, { code: "AAAA-BBBB-CCCC", username: "other", password: TEST_PASSWORD }, "console"),
    ).rejects.toThrow(/pairing refused/);
  });

  it("logs in with an existing account for another token, and refuses a wrong password", async () => {
    await expect(loginGateway(running.url, { username: "tech", password: "wrong password!" }, "console")).rejects.toThrow(
      /logging in refused/,
    );
    const login = await loginGateway(running.url, { username: "tech", password: TEST_PASSWORD }, "second console");
    expect(await new GatewayApi({ baseUrl: running.url, token: login.token }).devices()).toEqual([]);
  });

  it("says when nothing answers at the address", async () => {
    await expect(loginGateway("http://127.0.0.1:9", { username: "tech", password: TEST_PASSWORD }, "c")).rejects.toThrow(
      /did not answer/,
    );
  });
});

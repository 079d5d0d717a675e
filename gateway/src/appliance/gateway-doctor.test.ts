import { execFile } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { createCertificateAuthority, issueCertificate } from "@intelledger/cloud-relay";
import { takePort, type TakenPort } from "@intelledger/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseGatewayConfig } from "../config.js";
import { loadOrCreateGatewayIdentity } from "../identity/gateway-identity.js";
import { examineGateway } from "./gateway-doctor.js";

const dir = mkdtempSync(join(tmpdir(), "gateway-doctor-"));
let taken: TakenPort;

beforeAll(async () => {
  taken = await takePort();
});
afterAll(async () => {
  await taken.release();
  rmSync(dir, { recursive: true, force: true });
});

describe("gateway doctor", () => {
  it("names each problem on site with what to do, and passes what is fine", async () => {
    const dataDir = join(dir, "data");
    loadOrCreateGatewayIdentity(dataDir);
    chmodSync(join(dataDir, "gateway.key"), 0o644);
    const ca = await createCertificateAuthority("doctor test CA");
    const expiring = await issueCertificate(ca, {
      commonName: "0x0000000000000000000000000000000000000001",
      role: "client",
      validDays: 10,
    });
    writeFileSync(join(dir, "ca.crt"), ca.certificatePem);
    writeFileSync(join(dir, "gateway.crt"), expiring.certificatePem);
    const config = parseGatewayConfig({
      dataDir,
      mqtt: { host: "127.0.0.1", port: 0 },
      http: { host: "127.0.0.1", port: taken.port },
      serial: { ports: [join(dir, "ttyUSB-unplugged")] },
      // Nothing listens on the discard port here: the relay is unreachable.
      relay: {
        address: "127.0.0.1:9",
        caCertFile: join(dir, "ca.crt"),
        certFile: join(dir, "gateway.crt"),
        keyFile: join(dir, "gateway.key"),
      },
    });
    const checks = await examineGateway(config, Date.now());
    const byName = new Map(checks.map((entry) => [entry.check, entry]));
    expect(byName.get("data folder")).toMatchObject({ level: "ok" });
    expect(byName.get("identity key")).toMatchObject({ level: "fail", fix: expect.stringMatching(/chmod 600/) as string });
    expect(byName.get("clock")).toMatchObject({ level: "ok" });
    expect(byName.get("serial port")).toMatchObject({
      level: "warn",
      detail: expect.stringMatching(/ttyUSB-unplugged is configured but not there/) as string,
    });
    expect(byName.get("mqtt port")).toMatchObject({ level: "ok" });
    expect(byName.get("http port")).toMatchObject({ level: "warn", detail: `127.0.0.1:${taken.port} is taken` });
    expect(byName.get("relay")).toMatchObject({ level: "fail", detail: expect.stringMatching(/ECONNREFUSED/) as string });
    expect(byName.get("relay client certificate")).toMatchObject({
      level: "warn",
      detail: expect.stringMatching(/expires in 9 days/) as string,
    });
    expect(byName.get("relay CA certificate")).toMatchObject({ level: "ok" });
    for (const entry of checks.filter(({ level }) => level !== "ok")) expect(entry.fix, entry.check).toBeTruthy();

    expect(
      (await examineGateway(config, Date.parse("1970-01-02T00:00:00Z"))).find(({ check }) => check === "clock"),
    ).toMatchObject({
      level: "fail",
      fix: expect.stringMatching(/timedatectl set-ntp true/) as string,
    });
  });

  it("prints one line per check and exits 1 on a failure, from the command line", async () => {
    const configPath = join(dir, "broken.json");
    writeFileSync(configPath, JSON.stringify({ dataDir: join(dir, "nowhere"), mqtt: { port: 0 }, http: { port: 0 } }));
    const run = promisify(execFile);
    const failed = await run(process.execPath, [
      "--import",
      "tsx",
      join(import.meta.dirname, "../cli.ts"),
      "doctor",
      "--config",
      configPath,
    ]).then(
      () => undefined,
      (error: { code: number; stdout: string }) => error,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stdout).toMatch(/^fail {2}data folder: .*nowhere does not exist\n {6}→ create it/m);
    expect(failed?.stdout).toMatch(/^warn {2}relay: no relay configured/m);
  }, 120_000);
});

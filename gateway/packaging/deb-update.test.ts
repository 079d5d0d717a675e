import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, SimulatedDevice } from "@intelledger/test-support";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { quietGatewayConfigInput } from "../test/test-gateway.js";
import { buildDeb } from "./build-deb.js";
import { dpkgRoot, releaseCli, startReleaseGateway, stopReleaseGateway } from "./package-test-support.js";

const COUNTS = "SELECT count(*) AS readings, max(frame_counter) AS counter FROM readings";

function query(dataDir: string, sql: string): { readings: number; counter: number } {
  const db = new Database(join(dataDir, "gateway.sqlite"), { readonly: true });
  try {
    return db.prepare(sql).get() as { readings: number; counter: number };
  } finally {
    db.close();
  }
}

// Three builds and three installs of a 480 MB package: minutes of disk work, so on request only.
const RUN = process.env.EDGE_PACKAGE_UPDATES === "1";

describe.skipIf(!RUN)("updating an installed gateway (EDGE_PACKAGE_UPDATES=1 runs it: three package builds)", () => {
  const dir = mkdtempSync(join(tmpdir(), "gateway-update-test-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }), 300_000);

  it("switches to the new release keeping the backlog and the device counters, and stays on it when the next one does not run", async () => {
    const out = join(dir, "out");
    const first = buildDeb({ outDir: out, compression: "none", version: "0.9.0" });
    const second = buildDeb({ outDir: out, compression: "none", version: "0.9.1" });
    const { root, dpkg } = dpkgRoot(join(dir, "root"));
    const base = join(root, "opt/intelledger/gateway");
    expect(dpkg("-i", first.path).status).toBe(0);

    // The installed gateway takes readings it cannot send (no relay): its backlog.
    const dataDir = join(root, "var/lib/intelledger");
    const mqttPort = await freePort();
    const configPath = join(dir, "gateway.json");
    writeFileSync(
      configPath,
      JSON.stringify(
        quietGatewayConfigInput(dataDir, { mqtt: { host: "127.0.0.1", port: mqttPort, fallbackToFreePort: false } }),
      ),
    );
    const device = new SimulatedDevice("press-01");
    const added = JSON.parse(
      releaseCli(
        join(base, "current"),
        "add-device",
        "--data-dir",
        dataDir,
        "--device-id",
        "press-01",
        "--public-key",
        Buffer.from(device.publicKeyPoint).toString("hex"),
      ),
    ) as { mqttLogin: { username: string; password: string } };
    let gateway = await startReleaseGateway(join(base, "current"), configPath);
    await device.connect(`mqtt://127.0.0.1:${mqttPort}`, added.mqttLogin);
    for (let i = 0; i < 10; i++) await device.publishFrame();
    await device.stop();
    expect(await stopReleaseGateway(gateway)).toBe(0);
    const backlog = query(dataDir, COUNTS);
    expect(backlog.counter).toBe(10);
    expect(backlog.readings).toBeGreaterThan(0);

    // The update: the old release is kept to roll back to, the new one switched to.
    const updated = dpkg("-i", second.path);
    expect(updated.status, updated.stderr).toBe(0);
    expect(readlinkSync(join(base, "current"))).toBe("releases/0.9.1");
    expect(readdirSync(join(base, "kept"))).toEqual(["0.9.0"]);
    expect(existsSync(join(base, "releases/0.9.0"))).toBe(false);
    gateway = await startReleaseGateway(join(base, "current"), configPath);
    await device.connect(`mqtt://127.0.0.1:${mqttPort}`, added.mqttLogin);
    for (let i = 0; i < 5; i++) await device.publishFrame();
    await device.stop();
    expect(await stopReleaseGateway(gateway)).toBe(0);
    expect(query(dataDir, COUNTS)).toEqual({ readings: (backlog.readings / 10) * 15, counter: 15 });

    // A release that does not run here (a module missing from it) is not switched to.
    const broken = join(dir, "broken");
    execFileSync("dpkg-deb", ["-R", second.path, broken]);
    renameSync(join(broken, "opt/intelledger/gateway/releases/0.9.1"), join(broken, "opt/intelledger/gateway/releases/0.9.2"));
    rmSync(join(broken, "opt/intelledger/gateway/releases/0.9.2/app/node_modules/tsx"), { recursive: true });
    const control = join(broken, "DEBIAN/control");
    writeFileSync(control, readFileSync(control, "utf8").replace("Version: 0.9.1", "Version: 0.9.2"));
    const postinst = join(broken, "DEBIAN/postinst");
    writeFileSync(postinst, readFileSync(postinst, "utf8").replace("releases/0.9.1", "releases/0.9.2"));
    const brokenDeb = join(out, "broken.deb");
    execFileSync("dpkg-deb", ["--root-owner-group", "-Znone", "--build", broken, brokenDeb]);
    const refused = dpkg("-i", brokenDeb);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(/switch-release: releases\/0\.9\.2 does not run on this machine, staying on kept\/0\.9\.1/);
    expect(readlinkSync(join(base, "current"))).toBe("kept/0.9.1");
    expect(JSON.parse(releaseCli(join(base, "current"), "version"))).toMatchObject({ gateway: "0.9.1" });
  }, 1_800_000);
});

import { mkdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { GatewayError } from "../errors.js";
import { chooseFlowsUser, prepareFlowsFolder } from "./flows-user.js";
import { scratchFolder } from "../../test/scratch-folder.js";

const isRoot = process.getuid?.() === 0;
const dataDir = scratchFolder("flows-user-", "each test");

describe("the user flows run as", () => {
  it("is one that exists, and never root", () => {
    const logger = pino({ level: "silent" });
    expect(() => chooseFlowsUser("no-such-user-here", logger)).toThrow(/http.nodeRed.user: there is no user "no-such-user-here"/);
    expect(() => chooseFlowsUser("root", logger)).toThrow(GatewayError);
    expect(chooseFlowsUser("nobody", logger)).toMatchObject({ name: "nobody", uid: 65_534 });
  });

  // Skipped unless root: only root (or CAP_SETUID) switches users, and only root hands folders to another user.
  it.runIf(isRoot)("is nobody for a gateway running as root that names none", () => {
    expect(chooseFlowsUser(undefined, pino({ level: "silent" }))).toMatchObject({ name: "nobody" });
  });

  it.runIf(isRoot)("gets Node-RED's folder, and can pass through the data folder but reach nothing else in it", () => {
    // As an older gateway left them: readable by all.
    writeFileSync(join(dataDir(), "gateway.sqlite"), "", { mode: 0o644 });
    writeFileSync(join(dataDir(), "gateway.sqlite-wal"), "", { mode: 0o644 });
    mkdirSync(join(dataDir(), "models"), { mode: 0o755 });
    mkdirSync(join(dataDir(), "node-red"), { mode: 0o755 });
    writeFileSync(join(dataDir(), "node-red", "flows.json"), "[]", { mode: 0o600 });
    prepareFlowsFolder(join(dataDir(), "node-red"), { name: "nobody", uid: 65_534, gid: 65_534 });
    const mode = (path: string) => statSync(join(dataDir(), path)).mode & 0o777;
    expect(mode("")).toBe(0o711);
    expect(mode("gateway.sqlite")).toBe(0o600);
    expect(mode("gateway.sqlite-wal")).toBe(0o600);
    expect(mode("models")).toBe(0o700);
    expect(mode("node-red")).toBe(0o700);
    expect(statSync(join(dataDir(), "node-red")).uid).toBe(65_534);
    expect(statSync(join(dataDir(), "node-red", "flows.json")).uid).toBe(65_534);
  });

  it.runIf(isRoot)("says so when the flows user could not reach its folder", () => {
    const closed = join(dataDir(), "closed");
    mkdirSync(join(closed, "data"), { recursive: true, mode: 0o700 });
    expect(() => prepareFlowsFolder(join(closed, "data", "node-red"), { name: "nobody", uid: 65_534, gid: 65_534 })).toThrow(
      `Node-RED's user nobody cannot pass through ${closed} to its folder`,
    );
  });

  it("leaves the data folder alone when Node-RED runs as the gateway's user", () => {
    writeFileSync(join(dataDir(), "gateway.sqlite"), "", { mode: 0o600 });
    prepareFlowsFolder(join(dataDir(), "node-red"), undefined);
    expect(statSync(dataDir()).mode & 0o777).toBe(0o700);
    expect(statSync(join(dataDir(), "node-red")).uid).toBe(process.getuid?.());
  });
});

import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openGatewayDatabase, type SqliteDatabase } from "../store/gateway-database.js";
import { AuditLog } from "./audit-log.js";
import { AuthenticationError, PermissionError, ThrottledError } from "./auth-errors.js";
import { GatewayAuth } from "./gateway-auth.js";

const logger = pino({ level: "silent" });
const PASSWORD = "correct horse battery";
let dir: string;
let db: SqliteDatabase;
let audit: AuditLog;
let auth: GatewayAuth;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "gateway-auth-"));
  db = openGatewayDatabase(":memory:");
  audit = new AuditLog(db, logger);
  auth = new GatewayAuth({ db, pairingFile: join(dir, "pairing-code"), sessionTtlMs: 60_000, audit, logger });
  auth.start("http://gateway/pair");
});

afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

async function pairTechnician() {
  const code = auth.pairingCode;
  if (!code) throw new Error("no pairing code");
  return auth.pair({ code, username: "tech", password: PASSWORD }, "10.0.0.1");
}

describe("gateway auth", () => {
  it("has no account at first, only a one-time pairing code in a file its owner alone can read", async () => {
    expect(auth.accounts.count()).toBe(0);
    const code = auth.pairingCode;
    expect(code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    const file = join(dir, "pairing-code");
    expect(readFileSync(file, "utf8").trim()).toBe(code);
    expect(statSync(file).mode & 0o777).toBe(0o600);

    await expect(auth.pair({ code: "AAAA-BBBB-CCCC", username: "tech", password: PASSWORD }, "10.0.0.1")).rejects.toThrow(
      AuthenticationError,
    );
    // Case and dashes do not matter to a person typing the code.
    const session = await auth.pair(
      { code: code?.toLowerCase().replaceAll("-", "") ?? "", username: "tech", password: PASSWORD },
      "10.0.0.1",
    );
    expect(session.principal).toMatchObject({ username: "tech", role: "technician", kind: "session" });
    expect(auth.pairingCode).toBeUndefined();
    expect(existsSync(file)).toBe(false);
    await expect(auth.pair({ code: code ?? "", username: "other", password: PASSWORD }, "10.0.0.1")).rejects.toThrow(
      PermissionError,
    );
    expect(audit.list()).toMatchObject([
      { actor: "tech", action: "account.create", target: "tech", details: { via: "pairing" } },
    ]);
  });

  it("keeps no pairing code once an account exists, across restarts", async () => {
    await pairTechnician();
    const restarted = new GatewayAuth({ db, pairingFile: join(dir, "pairing-code"), sessionTtlMs: 60_000, audit, logger });
    restarted.start("http://gateway/pair");
    expect(restarted.pairingCode).toBeUndefined();
  });

  it("logs in with the right password only, and out again", async () => {
    await pairTechnician();
    await expect(auth.login("tech", "wrong password!", "10.0.0.2")).rejects.toThrow(AuthenticationError);
    await expect(auth.login("nobody", PASSWORD, "10.0.0.2")).rejects.toThrow(AuthenticationError);
    const session = await auth.login("tech", PASSWORD, "10.0.0.2");
    expect(auth.resolve(session.token)).toMatchObject({ username: "tech", role: "technician" });
    expect(auth.resolve(`${session.token}x`)).toBeUndefined();
    // Only a hash of the token is stored.
    const stored = db.prepare("SELECT token_hash FROM auth_tokens").all() as { token_hash: Buffer }[];
    expect(stored.some((row) => row.token_hash.toString().includes(session.token))).toBe(false);
    auth.logout(session.principal);
    expect(auth.resolve(session.token)).toBeUndefined();
  });

  it("throttles guessing per account", async () => {
    await pairTechnician();
    for (let i = 0; i < 5; i++) {
      await expect(auth.login("tech", `guess number ${i}`, `10.0.1.${i}`)).rejects.toThrow(AuthenticationError);
    }
    await expect(auth.login("tech", PASSWORD, "10.0.2.1")).rejects.toThrow(ThrottledError);
  });

  it("lets technicians manage accounts, audits it, and keeps one technician at least", async () => {
    const { principal: tech } = await pairTechnician();
    await auth.createAccount(tech, { username: "ivy", password: PASSWORD, role: "integrator" });
    const { principal: ivy } = await auth.login("ivy", PASSWORD, "10.0.0.3");
    await expect(auth.createAccount(ivy, { username: "vic", password: PASSWORD, role: "viewer" })).rejects.toThrow(
      PermissionError,
    );
    expect(() => auth.deleteAccount(tech, "tech")).toThrow(/last technician/);
    auth.setRole(tech, "ivy", "viewer");
    expect(auth.accounts.get("ivy")?.role).toBe("viewer");
    auth.deleteAccount(tech, "ivy");
    expect(audit.list().map((entry) => entry.action)).toEqual([
      "account.delete",
      "account.role",
      "account.create",
      "account.create",
    ]);
  });

  it("issues API tokens that act with the account's current role until revoked", async () => {
    const { principal: tech } = await pairTechnician();
    await auth.createAccount(tech, { username: "ivy", password: PASSWORD, role: "integrator" });
    const { principal: ivy } = await auth.login("ivy", PASSWORD, "10.0.0.3");
    const { token, info } = auth.issueApiToken(ivy, "ci deploys");
    expect(token).toMatch(/^ilt_/);
    expect(auth.resolve(token)).toMatchObject({ username: "ivy", role: "integrator", kind: "api" });
    auth.setRole(tech, "ivy", "viewer");
    expect(auth.resolve(token)?.role).toBe("viewer");
    expect(auth.listTokens(ivy).map((listed) => listed.label)).toEqual(["browser session", "ci deploys"]);
    expect(auth.revokeToken(ivy, info.id)).toBe(true);
    expect(auth.resolve(token)).toBeUndefined();
  });

  it("changes a password only with the current one, and ends the account's other sessions", async () => {
    const { principal: tech } = await pairTechnician();
    const other = await auth.login("tech", PASSWORD, "10.0.0.4");
    await expect(
      auth.changePassword(tech, { username: "tech", currentPassword: "not the password", newPassword: "a new long password" }),
    ).rejects.toThrow(AuthenticationError);
    await auth.changePassword(tech, { username: "tech", currentPassword: PASSWORD, newPassword: "a new long password" });
    expect(auth.resolve(other.token)).toBeUndefined();
    await expect(auth.login("tech", PASSWORD, "10.0.0.5")).rejects.toThrow(AuthenticationError);
    await auth.login("tech", "a new long password", "10.0.0.5");
  });
});

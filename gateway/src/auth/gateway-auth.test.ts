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

/** A second view of the same accounts, with a clock the test moves. */
function clockedAuth(now: () => number): GatewayAuth {
  return new GatewayAuth({ db, pairingFile: join(dir, "clocked"), sessionTtlMs: 60_000, audit, logger, now });
}

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

  it("slows guessing down ever more, yet lets the right password in from an address that has not failed", async () => {
    let now = 1_000_000;
    const clocked = clockedAuth(() => now);
    await pairTechnician();
    const attacker = "10.0.1.7";
    const waits: number[] = [];
    for (let i = 0; i < 6; i++) {
      let outcome = await clocked.login("tech", `guess number ${i}`, attacker).catch((error: unknown) => error);
      waits.push(outcome instanceof ThrottledError ? outcome.retryAfterMs : 0);
      if (outcome instanceof ThrottledError) {
        now += outcome.retryAfterMs;
        outcome = await clocked.login("tech", `guess number ${i}`, attacker).catch((error: unknown) => error);
      }
      expect(outcome).toBeInstanceOf(AuthenticationError);
    }
    // Three tries free on one account from one address, then 1 s, 2 s, 4 s... after each failure.
    expect(waits).toEqual([0, 0, 0, 1_000, 2_000, 4_000]);
    await expect(clocked.login("tech", PASSWORD, attacker)).rejects.toThrow(ThrottledError);
    // The owner, from an address that has not failed, gets in at once.
    const owner = await clocked.login("tech", PASSWORD, "10.0.3.3");
    expect(owner.principal.username).toBe("tech");
    // Addresses that failed on the account wait, a fresh one gets one try.
    const spread = await clocked.login("tech", "another guess", "10.0.4.4").catch((error: unknown) => error);
    expect(spread).toBeInstanceOf(AuthenticationError);
  });

  it("does not forget an address's failures when that address logs in to another account", async () => {
    let now = 1_000_000;
    const clocked = clockedAuth(() => now);
    const { principal: tech } = await pairTechnician();
    await clocked.createAccount(tech, { username: "mallory", password: PASSWORD, role: "viewer" });
    const address = "2001:db8:1:2:aaaa::1";
    for (let account = 0; account < 9; account++) {
      await expect(clocked.login(`user${account}`, "guess", address)).rejects.toThrow(AuthenticationError);
    }
    // Its own account, from the same /64: welcome, but the guesses stay on record.
    await clocked.login("mallory", PASSWORD, "2001:db8:1:2:bbbb::2");
    await expect(clocked.login("user9", "guess", address)).rejects.toThrow(AuthenticationError);
    await expect(clocked.login("user11", "guess", "2001:db8:1:2::9")).rejects.toThrow(ThrottledError);
    now += 1_000;
    await expect(clocked.login("user11", "guess", "2001:db8:1:2::9")).rejects.toThrow(AuthenticationError);
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

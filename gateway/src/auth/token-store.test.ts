import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openGatewayDatabase, type SqliteDatabase } from "../store/gateway-database.js";
import { TokenStore } from "./token-store.js";

let db: SqliteDatabase;
let now = 1_700_000_000_000;

beforeEach(() => {
  db = openGatewayDatabase(":memory:");
  db.prepare("INSERT INTO accounts (username, role, password_hash, created_at_ms) VALUES ('ana', 'viewer', 'x', 0)").run();
});

afterEach(() => db.close());

describe("token store", () => {
  it("lets a session lapse at its expiry and forgets it", () => {
    const tokens = new TokenStore(db, () => now);
    const { token } = tokens.issue("ana", "session", "browser session", 60_000);
    expect(tokens.resolve(token)).toMatchObject({ username: "ana", role: "viewer", kind: "session" });
    now += 60_000;
    expect(tokens.resolve(token)).toBeUndefined();
    expect(tokens.list("ana")).toEqual([]);
  });

  it("records when a token was last used, at most once a minute", () => {
    const tokens = new TokenStore(db, () => now);
    const { token, info } = tokens.issue("ana", "api", "script");
    tokens.resolve(token);
    expect(tokens.get(info.id)?.lastUsedAtMs).toBe(now);
    const firstUse = now;
    now += 30_000;
    tokens.resolve(token);
    expect(tokens.get(info.id)?.lastUsedAtMs).toBe(firstUse);
    now += 30_000;
    tokens.resolve(token);
    expect(tokens.get(info.id)?.lastUsedAtMs).toBe(now);
  });

  it("drops an account's tokens with the account", () => {
    const tokens = new TokenStore(db, () => now);
    const { token } = tokens.issue("ana", "api", "script");
    db.prepare("DELETE FROM accounts WHERE username = 'ana'").run();
    expect(tokens.resolve(token)).toBeUndefined();
  });
});

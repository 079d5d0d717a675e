import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { EnrollmentTokens } from "./enrollment-tokens.js";

const dir = mkdtempSync(join(tmpdir(), "enrollment-tokens-"));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("enrollment tokens", () => {
  it("enroll one gateway once, before they expire, and are shared by every process using the file", () => {
    const issuer = new EnrollmentTokens(join(dir, "enrollment.sqlite"));
    const relay = new EnrollmentTokens(join(dir, "enrollment.sqlite"));
    const { token, expiresAtMs } = issuer.issue(60_000, 1_000);
    expect(expiresAtMs).toBe(61_000);
    expect(() => relay.consume("ile_unknown", "0xA", 2_000)).toThrow("enrollment token unknown");
    relay.consume(token, "0xA", 2_000);
    expect(() => relay.consume(token, "0xB", 3_000)).toThrow("enrollment token already used");
    const late = issuer.issue(60_000, 1_000).token;
    expect(() => relay.consume(late, "0xC", 61_000)).toThrow("enrollment token expired");
    issuer.close();
    relay.close();
  });
});

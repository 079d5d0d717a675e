import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { EDITOR_IDENTITY_PREFIX, signEditorIdentity, verifyEditorIdentity } from "./editor-identity.js";

const key = randomBytes(32);

describe("editor identity", () => {
  it("names the user the gateway vouched for, until it expires", () => {
    const identity = signEditorIdentity(key, { username: "ivy", permissions: "*" }, 2_000);
    expect(identity.startsWith(EDITOR_IDENTITY_PREFIX)).toBe(true);
    expect(verifyEditorIdentity(key, identity, 1_999)).toEqual({ username: "ivy", permissions: "*" });
    expect(verifyEditorIdentity(key, identity, 2_000)).toBeNull();
  });

  it("refuses identities signed with another key, altered, or not identities at all", () => {
    const identity = signEditorIdentity(key, { username: "vic", permissions: "read" }, Date.now() + 60_000);
    expect(verifyEditorIdentity(randomBytes(32), identity)).toBeNull();
    const [payload, signature] = identity.slice(EDITOR_IDENTITY_PREFIX.length).split(".");
    const promoted = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload ?? "", "base64url").toString()), p: "*" }),
    ).toString("base64url");
    expect(verifyEditorIdentity(key, `${EDITOR_IDENTITY_PREFIX}${promoted}.${signature}`)).toBeNull();
    expect(verifyEditorIdentity(key, "ils_a-session-token")).toBeNull();
    expect(verifyEditorIdentity(key, `${EDITOR_IDENTITY_PREFIX}no-signature`)).toBeNull();
  });
});

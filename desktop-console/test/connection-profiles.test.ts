import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConnectionProfiles } from "../src/main/services/connection-profiles.js";
import { AesSecretStorage } from "./support/aes-secret-storage.js";

let dir: string;
let file: string;
const TOKEN = "ilt_secret-token-of-the-console-0123456789";

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "console-profiles-"));
  file = join(dir, "profiles", "connections.json");
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("connection profiles", () => {
  it("keeps a gateway's token encrypted on disk, readable only by the profile's storage", () => {
    const secrets = new AesSecretStorage();
    const profiles = new ConnectionProfiles(file, secrets);
    const saved = profiles.save("http://gw.local:8080", "tech", TOKEN);

    const onDisk = readFileSync(file, "utf8");
    expect(onDisk).not.toContain(TOKEN);
    expect(onDisk).not.toContain("ilt_");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(profiles.list()).toEqual([saved]);
    expect(JSON.stringify(profiles.list())).not.toContain("encrypted");
    expect(profiles.open(saved.id)).toEqual({ profile: saved, token: TOKEN });

    // Another keychain (another user, another computer) cannot read it, and says what to do.
    expect(() => new ConnectionProfiles(file, new AesSecretStorage()).open(saved.id)).toThrow(/forget this connection/);
  });

  it("keeps one token per gateway and account, and forgets on request", () => {
    const profiles = new ConnectionProfiles(file, new AesSecretStorage());
    const first = profiles.save("http://gw.local:8080", "tech", TOKEN);
    const other = profiles.save("http://gw-2.local:8080", "tech", "ilt_other");
    const replaced = profiles.save("http://gw.local:8080", "tech", "ilt_new");
    expect(profiles.list().map((profile) => profile.id)).toEqual([other.id, replaced.id]);
    expect(() => profiles.open(first.id)).toThrow(/no saved connection/);
    expect(profiles.open(replaced.id).token).toBe("ilt_new");
    profiles.forget(other.id);
    expect(profiles.list()).toEqual([replaced]);
  });

  it("refuses to keep a token where the computer offers no encryption, and writes nothing", () => {
    const secrets = new AesSecretStorage();
    secrets.available = false;
    const profiles = new ConnectionProfiles(file, secrets);
    expect(() => profiles.save("http://gw.local:8080", "tech", TOKEN)).toThrow(/no encrypted storage/);
    expect(() => readFileSync(file)).toThrow(/ENOENT/);
    expect(profiles.list()).toEqual([]);
  });
});

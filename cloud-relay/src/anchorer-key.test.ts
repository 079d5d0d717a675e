import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { anchorerKey } from "./anchorer-key.js";
import { RelayConfigError } from "./errors.js";

const KEY_A = `0x${"aa".repeat(32)}`;
const KEY_B = `0x${"bb".repeat(32)}`;

afterEach(() => {
  delete process.env.RELAY_ANCHORER_PRIVATE_KEY;
});

describe("the anchorer's key", () => {
  it("comes from its file first, then the environment, then the configuration", () => {
    const file = join(mkdtempSync(join(tmpdir(), "anchorer-")), "anchorer.key");
    writeFileSync(file, `${KEY_A}\n`, { mode: 0o600 });
    process.env.RELAY_ANCHORER_PRIVATE_KEY = KEY_B;
    expect(anchorerKey({ anchorerPrivateKeyFile: file, anchorerPrivateKey: undefined })).toBe(KEY_A);
    expect(anchorerKey({ anchorerPrivateKeyFile: undefined, anchorerPrivateKey: KEY_A })).toBe(KEY_B);
    delete process.env.RELAY_ANCHORER_PRIVATE_KEY;
    expect(anchorerKey({ anchorerPrivateKeyFile: undefined, anchorerPrivateKey: KEY_A })).toBe(KEY_A);
  });

  it("is refused, naming where it came from, when missing or malformed", () => {
    expect(() => anchorerKey({ anchorerPrivateKeyFile: undefined, anchorerPrivateKey: undefined })).toThrow(RelayConfigError);
    process.env.RELAY_ANCHORER_PRIVATE_KEY = "0x1234";
    expect(() => anchorerKey({ anchorerPrivateKeyFile: undefined, anchorerPrivateKey: undefined })).toThrow(
      "the anchorer key in RELAY_ANCHORER_PRIVATE_KEY must be a 0x-prefixed 32-byte hex private key",
    );
  });
});

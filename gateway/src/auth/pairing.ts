import { randomInt, timingSafeEqual } from "node:crypto";
import { rmSync } from "node:fs";
import { writeSecretFile } from "@intelledger/service-kit";

/** Crockford's base32 without I, L, O and U: nothing to misread on a terminal. */
const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const GROUPS = 3;
const GROUP_LENGTH = 4;

function normalise(code: string): string {
  return code.toUpperCase().replace(/[^0-9A-Z]/g, "");
}

/**
 * The one-time code that creates the first account. A gateway ships without any
 * account or default password; on a start with no account it makes a code (60 bits),
 * logs it and writes it to a file only its owner can read, and forgets it once used.
 */
export class Pairing {
  private current: string | undefined;
  private readonly file: string;

  constructor(file: string) {
    this.file = file;
  }

  get code(): string | undefined {
    return this.current;
  }

  begin(): string {
    const groups = Array.from({ length: GROUPS }, () =>
      Array.from({ length: GROUP_LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]).join(""),
    );
    this.current = groups.join("-");
    writeSecretFile(this.file, `${this.current}\n`);
    return this.current;
  }

  matches(candidate: string): boolean {
    if (this.current === undefined) return false;
    const expected = Buffer.from(normalise(this.current));
    const actual = Buffer.from(normalise(candidate));
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  }

  /** Forgets the code, after the first account exists (or when one already did). */
  end(): void {
    this.current = undefined;
    rmSync(this.file, { force: true });
  }
}

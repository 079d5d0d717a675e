// The encrypted envelope of a gateway backup: a one-line JSON header (format, key
// derivation and its parameters, salt, IV), then the archive encrypted with AES-256-GCM
// under a key derived from the passphrase by scrypt, then GCM's 16-byte tag.
import {
  createCipheriv,
  createDecipheriv,
  randomBytes,
  scrypt as scryptCallback,
  type BinaryLike,
  type ScryptOptions,
} from "node:crypto";
import { createReadStream, createWriteStream, openSync, readSync, closeSync, fstatSync } from "node:fs";
import { Readable, type Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { GatewayError } from "../errors.js";

/** The passphrase is wrong, or the file is not a backup or was altered. */
export class BackupUnreadableError extends GatewayError {}

const MAGIC = "INTELLEDGER-GATEWAY-BACKUP";
const TAG_BYTES = 16;
const MAX_HEADER_BYTES = 1_024;
/** 32 MiB of memory per derivation: slow to guess, fine on a Raspberry Pi. */
const SCRYPT = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } as const;
export const MIN_PASSPHRASE_LENGTH = 12;

interface EnvelopeHeader {
  format: 1;
  kdf: "scrypt";
  N: number;
  r: number;
  p: number;
  salt: string;
  cipher: "aes-256-gcm";
  iv: string;
}

function deriveKey(passphrase: BinaryLike, salt: Buffer, params: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCallback(passphrase, salt, 32, { ...params, maxmem: SCRYPT.maxmem }, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}

/** Encrypts what `source` yields into `path`. */
export async function writeEncrypted(path: string, passphrase: string, source: AsyncIterable<Uint8Array>): Promise<void> {
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const header: EnvelopeHeader = {
    format: 1,
    kdf: "scrypt",
    N: SCRYPT.N,
    r: SCRYPT.r,
    p: SCRYPT.p,
    salt: salt.toString("hex"),
    cipher: "aes-256-gcm",
    iv: iv.toString("hex"),
  };
  const cipher = createCipheriv("aes-256-gcm", await deriveKey(passphrase, salt, SCRYPT), iv);
  const out = createWriteStream(path, { mode: 0o600 });
  out.write(`${MAGIC} ${JSON.stringify(header)}\n`);
  await pipeline(source, cipher, out, { end: false });
  out.end(cipher.getAuthTag());
  await new Promise<void>((resolve, reject) => out.once("finish", resolve).once("error", reject));
}

function readHeader(path: string): { header: EnvelopeHeader; offset: number; size: number } {
  const fd = openSync(path, "r");
  try {
    const size = fstatSync(fd).size;
    const start = Buffer.alloc(MAX_HEADER_BYTES);
    const read = readSync(fd, start, 0, MAX_HEADER_BYTES, 0);
    const text = start.subarray(0, read).toString("latin1");
    const end = text.indexOf("\n");
    if (!text.startsWith(`${MAGIC} `) || end < 0) throw new BackupUnreadableError(`${path} is not a gateway backup`);
    const header = JSON.parse(text.slice(MAGIC.length + 1, end)) as EnvelopeHeader;
    if (header.format !== 1 || header.kdf !== "scrypt" || header.cipher !== "aes-256-gcm") {
      throw new BackupUnreadableError(`${path} is a backup in a format this gateway does not read`, { header });
    }
    if (size < end + 1 + TAG_BYTES) throw new BackupUnreadableError(`${path} is cut short`);
    return { header, offset: end + 1, size };
  } finally {
    closeSync(fd);
  }
}

/**
 * Decrypts `path` into `destination`. The tag is checked at the end: until this resolves,
 * what was written may be forged or damaged, so the caller writes it somewhere disposable.
 */
export async function readEncrypted(path: string, passphrase: string, destination: Writable): Promise<void> {
  const { header, offset, size } = readHeader(path);
  const key = await deriveKey(passphrase, Buffer.from(header.salt, "hex"), { N: header.N, r: header.r, p: header.p });
  const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(header.iv, "hex"));
  const tag = Buffer.alloc(TAG_BYTES);
  const fd = openSync(path, "r");
  try {
    readSync(fd, tag, 0, TAG_BYTES, size - TAG_BYTES);
  } finally {
    closeSync(fd);
  }
  decipher.setAuthTag(tag);
  const body =
    size - TAG_BYTES > offset ? createReadStream(path, { start: offset, end: size - TAG_BYTES - 1 }) : Readable.from([]);
  try {
    await pipeline(body, decipher, destination);
  } catch (error) {
    throw new BackupUnreadableError("the passphrase is wrong, or the backup was damaged or altered", {}, { cause: error });
  }
}

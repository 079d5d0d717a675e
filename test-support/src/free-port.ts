import { once } from "node:events";
import { mkdirSync, openSync, closeSync, readFileSync, statSync, unlinkSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Where ports handed out are marked, so that test files running side by side never share one. */
const RESERVED = join(tmpdir(), "intelledger-test-ports");
/** A mark older than this was left by a test run that ended; its port may be handed out again. */
const STALE_AFTER_MS = 60 * 60_000;
/** The lowest port handed out: above the ports services are commonly configured on. */
const LOWEST = 20_000;

/** Where the kernel's ephemeral range starts: outgoing connections and listeners on port 0 take their ports from it. */
function ephemeralStart(): number {
  try {
    const start = Number(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]);
    if (start > LOWEST + 1_000) return start;
  } catch {
    // Not Linux: the IANA range, which other systems use.
  }
  return 49_152;
}

/** Marks `port` as handed out, unless a live mark is already there. */
function reserve(port: number): boolean {
  const mark = join(RESERVED, String(port));
  try {
    closeSync(openSync(mark, "wx"));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    if (Date.now() - statSync(mark).mtimeMs < STALE_AFTER_MS) return false;
    unlinkSync(mark);
    return reserve(port);
  }
}

async function canListen(port: number): Promise<boolean> {
  const server = createServer();
  server.listen(port, "127.0.0.1");
  const listening = await Promise.race([once(server, "listening").then(() => true), once(server, "error").then(() => false)]);
  if (listening) await new Promise((resolve) => server.close(resolve));
  return listening;
}

/**
 * A TCP port free on 127.0.0.1, for a service that must come back on the same port after a
 * restart. It lies below the kernel's ephemeral range, so no outgoing connection of another
 * test (to PostgreSQL, a broker, a relay) can take it between this call and the service's
 * start, and it is marked as handed out, so no other test file running alongside gets it.
 */
export async function freePort(): Promise<number> {
  mkdirSync(RESERVED, { recursive: true });
  const ephemeral = ephemeralStart();
  for (let attempt = 0; attempt < 1_000; attempt++) {
    const port = LOWEST + Math.floor(Math.random() * (ephemeral - LOWEST));
    if (reserve(port) && (await canListen(port))) return port;
  }
  throw new Error(`no free port found between ${LOWEST} and ${ephemeral - 1}`);
}

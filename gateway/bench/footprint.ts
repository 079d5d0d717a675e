import { spawn } from "node:child_process";
import { once } from "node:events";
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, readSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import Database from "better-sqlite3";
import { SimulatedDevice } from "@intelledger/test-support";

/**
 * The V8 flags the gateway runs with (NODE_OPTIONS). Node 24's young generation is
 * sized for servers, so garbage piles up in resident memory: with default flags the
 * gateway alone sits near 300 MB, with these below 200 MB, ingest as fast.
 */
export const GATEWAY_V8_FLAGS = ["--optimize-for-size"];

/**
 * What the gateway's package adds to its environment (packaging/intelledger-gateway). glibc's
 * malloc otherwise keeps an arena for each thread that allocates (the gateway's thread pool
 * verifies signatures and writes SQLite; 13 arenas, 14 MB), and what one thread frees stays in
 * its arena: with two the gateway holds about 6 MB less at the reference load, ingest as fast.
 */
export const GATEWAY_ENV = { MALLOC_ARENA_MAX: "2" };

export interface Footprint {
  /** VmRSS of the gateway process after warm-up, in MB (2^20 bytes). */
  rssMb: number;
  /** VmHWM, the peak resident size over the whole run, in MB. */
  peakMb: number;
  /** VmRSS of the gateway's Node-RED process after warm-up; 0 without Node-RED. */
  nodeRedRssMb: number;
  /** Its VmHWM. */
  nodeRedPeakMb: number;
  /**
   * Physical memory resident in the gateway and its Node-RED process together, each page
   * counted once (both map the same Node.js binary), in MB. It takes root to read page frames;
   * without, this is the sum of the two RSS, which counts the shared pages twice.
   */
  togetherMb: number;
  /** Whether `togetherMb` counts shared pages once. */
  togetherExact: boolean;
  /** VmRSS of the gateway's prover process (a child at lower priority), in MB. */
  proverRssMb: number;
  /** Its VmHWM. */
  proverPeakMb: number;
  /** The gateway, its Node-RED process and its prover together at the end, each page counted once (as `togetherMb`). */
  withProverMb: number;
  /**
   * The most the three held together (as `withProverMb`) in any sample taken while the prover
   * was proving (its CPU time grew since the sample before), over the whole run, or at the end.
   */
  withProverPeakMb: number;
  /** Samples taken while the prover was proving, of all samples. */
  provingSamples: number;
  samples: number;
  /** Batches the prover proved during the run. */
  batchesProved: number;
  readingsStored: number;
  /** Readings the example flows wrote back (devices flow.*). */
  derivedStored: number;
}

function statusField(pid: number, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  if (!match?.[1]) throw new Error(`no ${field} for process ${pid}`);
  return Number(match[1]) / 1024;
}

/** The processes a process started (from any of its threads) whose command line contains `marker`. */
function childProcesses(pid: number, marker: string): number[] {
  return readdirSync(`/proc/${pid}/task`)
    .flatMap((task) => readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").split(" ").filter(Boolean).map(Number))
    .filter((child) => readFileSync(`/proc/${child}/cmdline`, "utf8").includes(marker));
}

const PAGE_BYTES = 4096;
const PRESENT = 1n << 63n;
const FRAME = (1n << 55n) - 1n;

/**
 * The page frames resident in a process, from /proc/<pid>/pagemap (mappings with resident
 * pages only). Without root the kernel reports every frame as 0, and the set stays empty.
 */
function residentFrames(pid: number, into: Set<number>): void {
  const mappings = readFileSync(`/proc/${pid}/smaps`, "utf8").split(/\n(?=[0-9a-f]+-[0-9a-f]+ )/);
  const pagemap = openSync(`/proc/${pid}/pagemap`, "r");
  try {
    for (const mapping of mappings) {
      const range = /^([0-9a-f]+)-([0-9a-f]+) /.exec(mapping);
      if (!range?.[1] || !range[2] || !/^Rss:\s+[1-9]/m.test(mapping)) continue;
      const first = Number(BigInt(`0x${range[1]}`) / BigInt(PAGE_BYTES));
      const end = Number(BigInt(`0x${range[2]}`) / BigInt(PAGE_BYTES));
      for (let page = first; page < end; page += 65_536) {
        const count = Math.min(65_536, end - page);
        const entries = Buffer.alloc(count * 8);
        readSync(pagemap, entries, 0, entries.length, page * 8);
        for (let i = 0; i < count; i++) {
          const entry = entries.readBigUInt64LE(i * 8);
          const frame = entry & FRAME;
          if ((entry & PRESENT) !== 0n && frame !== 0n) into.add(Number(frame));
        }
      }
    }
  } finally {
    closeSync(pagemap);
  }
}

/** CPU time a process has used so far, in clock ticks (utime + stime of /proc/<pid>/stat). */
function cpuTicks(pid: number): number {
  // The command name (field 2) may hold spaces; the fields after it are plain numbers.
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8")
    .replace(/^.*\) /s, "")
    .split(" ");
  return Number(fields[11]) + Number(fields[12]);
}

/** Resident memory of processes together, shared pages once when page frames can be read. */
function residentTogether(pids: number[]): { mb: number; exact: boolean } {
  const frames = new Set<number>();
  for (const pid of pids) residentFrames(pid, frames);
  if (frames.size > 0) return { mb: (frames.size * PAGE_BYTES) / 2 ** 20, exact: true };
  return { mb: pids.reduce((sum, pid) => sum + statusField(pid, "VmRSS"), 0), exact: false };
}

/**
 * Samples the gateway, its Node-RED process and its provers every `intervalMs` until stopped:
 * the peak of the three together in samples where a prover's CPU time grew (it was proving).
 */
function sampleWhileProving(gatewayPid: number, intervalMs: number): () => { peakMb: number; proving: number; samples: number } {
  const ticks = new Map<number, number>();
  let peakMb = 0;
  let peakSumMb = 0;
  let proving = 0;
  let samples = 0;
  const sample = () => {
    const provers = childProcesses(gatewayPid, "prover-worker");
    const busy = provers.some((pid) => {
      const now = cpuTicks(pid);
      const before = ticks.get(pid);
      ticks.set(pid, now);
      return before !== undefined && now > before;
    });
    samples++;
    if (!busy) return;
    proving++;
    const pids = [gatewayPid, ...childProcesses(gatewayPid, "node-red-child"), ...provers];
    // Counting shared pages once walks every page table: only for a sample whose plain sum is a new high.
    const sumMb = pids.reduce((sum, pid) => sum + statusField(pid, "VmRSS"), 0);
    if (sumMb <= peakSumMb) return;
    peakSumMb = sumMb;
    peakMb = Math.max(peakMb, residentTogether(pids).mb);
  };
  const timer = setInterval(() => {
    try {
      sample();
    } catch {
      // A process that ended between listing and reading: the next sample sees the new one.
    }
  }, intervalMs);
  return () => {
    clearInterval(timer);
    return { peakMb, proving, samples };
  };
}

/** Batches proved so far, read from the gateway's database while it runs. */
function batchesProvedIn(dataDir: string): number {
  const db = new Database(join(dataDir, "gateway.sqlite"), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare("SELECT count(*) AS proved FROM proofs").get() as { proved: number }).proved;
  } finally {
    db.close();
  }
}

/**
 * Runs a gateway in a child process (with Node-RED and the example flows, or without),
 * feeds it signed frames from simulated devices in this process for `warmUpMs` (and on, up to
 * `maxRunMs`, until its prover proved `minProofs` batches), samples the resident memory of the
 * gateway, Node-RED and the prover from /proc every `sampleMs` (if given) while the prover
 * proves, and reads each one's at the end.
 */
export async function measureGatewayFootprint(options: {
  nodeRed: boolean;
  devices: number;
  frameIntervalMs: number;
  warmUpMs: number;
  v8Flags: readonly string[];
  minProofs?: number;
  maxRunMs?: number;
  sampleMs?: number;
}): Promise<Footprint> {
  const dataDir = mkdtempSync(join(tmpdir(), "gateway-footprint-"));
  const devices = Array.from({ length: options.devices }, (_, i) => new SimulatedDevice(`sim-${String(i + 1).padStart(3, "0")}`));
  writeFileSync(
    join(dataDir, "devices.json"),
    JSON.stringify(
      devices.map((device) => ({ deviceId: device.deviceId, publicKey: Buffer.from(device.publicKeyPoint).toString("hex") })),
    ),
  );
  const child = spawn(
    process.execPath,
    [
      ...options.v8Flags,
      "--import",
      "tsx",
      join(import.meta.dirname, "footprint-gateway.ts"),
      dataDir,
      ...(options.nodeRed ? [] : ["--no-node-red"]),
    ],
    { cwd: join(import.meta.dirname, ".."), env: { ...process.env, ...GATEWAY_ENV }, stdio: ["ignore", "pipe", "inherit"] },
  );
  const exited = once(child, "exit");
  try {
    const [line] = (await Promise.race([
      once(createInterface({ input: child.stdout }), "line"),
      exited.then(() => {
        throw new Error("the gateway process exited before it started");
      }),
    ])) as [string];
    const { mqttPort, nodeRed, logins } = JSON.parse(line) as {
      mqttPort: number;
      nodeRed: boolean;
      logins: { username: string; password: string }[];
    };
    if (nodeRed !== options.nodeRed) throw new Error(`Node-RED ${nodeRed ? "runs" : "does not run"} beside the gateway`);
    await Promise.all(devices.map((device, i) => device.connect(`mqtt://127.0.0.1:${mqttPort}`, logins[i])));
    for (const device of devices) device.run(options.frameIntervalMs, () => {});
    const pid = child.pid ?? 0;
    const stopSampling =
      options.sampleMs === undefined ? () => ({ peakMb: 0, proving: 0, samples: 0 }) : sampleWhileProving(pid, options.sampleMs);
    const startedAt = Date.now();
    await new Promise((resolve) => setTimeout(resolve, options.warmUpMs));
    while (batchesProvedIn(dataDir) < (options.minProofs ?? 0) && Date.now() - startedAt < (options.maxRunMs ?? 0)) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    const sampled = stopSampling();
    const rssMb = statusField(pid, "VmRSS");
    const peakMb = statusField(pid, "VmHWM");
    const nodeRedPids = childProcesses(pid, "node-red-child");
    const nodeRedRssMb = nodeRedPids.reduce((sum, nodeRed) => sum + statusField(nodeRed, "VmRSS"), 0);
    const nodeRedPeakMb = nodeRedPids.reduce((sum, nodeRed) => sum + statusField(nodeRed, "VmHWM"), 0);
    const together = residentTogether([pid, ...nodeRedPids]);
    const proverPids = childProcesses(pid, "prover-worker");
    const proverRssMb = proverPids.reduce((sum, prover) => sum + statusField(prover, "VmRSS"), 0);
    const proverPeakMb = proverPids.reduce((sum, prover) => sum + statusField(prover, "VmHWM"), 0);
    const withProver = residentTogether([pid, ...nodeRedPids, ...proverPids]);
    await Promise.all(devices.map((device) => device.stop()));

    const db = new Database(join(dataDir, "gateway.sqlite"), { readonly: true });
    const counts = db
      .prepare(
        `SELECT count(*) AS total, count(*) FILTER (WHERE device_id LIKE 'flow.%') AS derived,
           (SELECT count(*) FROM proofs) AS proved FROM readings`,
      )
      .get() as { total: number; derived: number; proved: number };
    db.close();
    return {
      rssMb,
      peakMb,
      nodeRedRssMb,
      nodeRedPeakMb,
      togetherMb: together.mb,
      togetherExact: together.exact,
      proverRssMb,
      proverPeakMb,
      withProverMb: withProver.mb,
      withProverPeakMb: Math.max(sampled.peakMb, withProver.mb),
      provingSamples: sampled.proving,
      samples: sampled.samples,
      batchesProved: counts.proved,
      readingsStored: counts.total,
      derivedStored: counts.derived,
    };
  } finally {
    await Promise.all(devices.map((device) => device.stop()));
    child.kill("SIGTERM");
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
}

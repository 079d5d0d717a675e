// `gateway doctor`: what a technician checks on site, each with what to do about it.
import { X509Certificate } from "node:crypto";
import { accessSync, constants, existsSync, readFileSync, statfsSync, statSync } from "node:fs";
import { createServer, Socket } from "node:net";
import { join } from "node:path";
import Database from "better-sqlite3";
import type { GatewayConfig } from "../config.js";
import { GATEWAY_KEY_FILE } from "../identity/gateway-identity.js";
import { discoverSerialPorts } from "../ingest/serial-port-discovery.js";

export type CheckLevel = "ok" | "warn" | "fail";

export interface DoctorCheck {
  check: string;
  level: CheckLevel;
  detail: string;
  /** What to do about a warning or a failure. */
  fix?: string;
}

const DAY_MS = 86_400_000;
const MIN_FREE_BYTES = 1024 ** 3;
/** The clock of a box that never synchronised starts in 1970 or at its image's build date. */
const EARLIEST_PLAUSIBLE_MS = Date.parse("2025-01-01T00:00:00Z");

function check(name: string, level: CheckLevel, detail: string, fix?: string): DoctorCheck {
  return { check: name, level, detail, ...(fix === undefined || level === "ok" ? {} : { fix }) };
}

function dataFolder(config: GatewayConfig): DoctorCheck[] {
  const { dataDir } = config;
  if (!existsSync(dataDir))
    return [
      check(
        "data folder",
        "fail",
        `${dataDir} does not exist`,
        `create it, owned by the gateway's user: install -d -m 0750 -o intelledger ${dataDir}`,
      ),
    ];
  const checks: DoctorCheck[] = [];
  try {
    accessSync(dataDir, constants.W_OK);
    checks.push(check("data folder", "ok", `${dataDir} is writable`));
  } catch {
    checks.push(
      check(
        "data folder",
        "fail",
        `${dataDir} is not writable by this user`,
        `run as the gateway's user (sudo -u intelledger), or chown -R intelledger ${dataDir}`,
      ),
    );
  }
  const fs = statfsSync(dataDir);
  const free = fs.bavail * fs.bsize;
  const share = fs.bavail / fs.blocks;
  const freeText = `${(free / 1024 ** 3).toFixed(1)} GiB free (${(share * 100).toFixed(0)}%)`;
  checks.push(
    free < MIN_FREE_BYTES || share < 0.05
      ? check(
          "disk",
          "warn",
          freeText,
          "free space on the data folder's disk, or lower storage.quotaBytes so the quota policy acts before the disk fills",
        )
      : check("disk", "ok", freeText),
  );
  const keyPath = join(dataDir, GATEWAY_KEY_FILE);
  if (existsSync(keyPath) && (statSync(keyPath).mode & 0o077) !== 0) {
    checks.push(check("identity key", "fail", `${keyPath} is readable by others`, `chmod 600 ${keyPath}`));
  }
  const dbPath = join(dataDir, "gateway.sqlite");
  if (existsSync(dbPath)) {
    const db = new Database(dbPath, { readonly: true, fileMustExist: true });
    try {
      const verdict = db.pragma("quick_check", { simple: true });
      checks.push(
        verdict === "ok"
          ? check("database", "ok", "quick_check passed")
          : check(
              "database",
              "fail",
              `quick_check: ${String(verdict)}`,
              "restore the latest backup onto an empty data folder (docs/appliance.md)",
            ),
      );
    } finally {
      db.close();
    }
  }
  return checks;
}

function clock(nowMs: number): DoctorCheck {
  return nowMs < EARLIEST_PLAUSIBLE_MS
    ? check(
        "clock",
        "fail",
        `the clock says ${new Date(nowMs).toISOString()}`,
        "enable time synchronisation: timedatectl set-ntp true (readings are dated by it)",
      )
    : check("clock", "ok", new Date(nowMs).toISOString());
}

function serialPorts(config: GatewayConfig): DoctorCheck[] {
  const missing = config.serial.ports.filter((port) => port !== "auto" && !existsSync(port));
  const found = discoverSerialPorts(config.serial.ports);
  return [
    ...missing.map((port) =>
      check("serial port", "warn", `${port} is configured but not there`, "plug the adapter in, or correct serial.ports"),
    ),
    ...(config.serial.ports.length === 0
      ? []
      : [check("serial ports", "ok", found.length === 0 ? "none plugged in" : found.join(", "))]),
  ];
}

/** Whether something listens on the port now, and whether it is a gateway (its /healthz). */
async function port(name: string, host: string, portNumber: number, isHttp: boolean): Promise<DoctorCheck> {
  if (portNumber === 0) return check(name, "ok", "a free port is picked at start");
  const free = await new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(portNumber, host, () => server.close(() => resolve(true)));
  });
  if (free) return check(name, "ok", `${host}:${portNumber} is free`);
  if (isHttp) {
    const healthz = await fetch(`http://127.0.0.1:${portNumber}/healthz`, { signal: AbortSignal.timeout(2_000) }).catch(
      () => undefined,
    );
    if (healthz?.ok) return check(name, "ok", `${portNumber} is served by a running gateway`);
  }
  return check(
    name,
    "warn",
    `${host}:${portNumber} is taken`,
    `if the gateway is not running, another program holds it: ss -ltnp 'sport = :${portNumber}'`,
  );
}

function certificateExpiry(name: string, path: string, nowMs: number): DoctorCheck {
  if (!existsSync(path))
    return check(name, "fail", `${path} is missing`, "enroll the gateway with the relay again (docs/relay-enrollment.md)");
  const certificate = new X509Certificate(readFileSync(path));
  const daysLeft = Math.floor((Date.parse(certificate.validTo) - nowMs) / DAY_MS);
  if (daysLeft < 0)
    return check(
      name,
      "fail",
      `${path} expired on ${certificate.validTo}`,
      "enroll the gateway with the relay again for a new certificate",
    );
  if (daysLeft < 30)
    return check(
      name,
      "warn",
      `${path} expires in ${daysLeft} days`,
      "enroll the gateway with the relay again before it expires",
    );
  return check(name, "ok", `valid for ${daysLeft} more days`);
}

async function relay(config: GatewayConfig, nowMs: number): Promise<DoctorCheck[]> {
  if (!config.relay)
    return [
      check(
        "relay",
        "warn",
        "no relay configured: readings stay on the gateway",
        "enroll with a relay (POST /api/uplink/enroll, docs/relay-enrollment.md)",
      ),
    ];
  const { address, certFile, caCertFile } = config.relay;
  const [host = "", portText = ""] = address.split(/:(?=\d+$)/);
  const reachable = await new Promise<string | undefined>((resolve) => {
    const socket = new Socket();
    socket.setTimeout(5_000, () => {
      socket.destroy();
      resolve("no answer within 5 s");
    });
    socket.once("error", (error) => resolve(error.message));
    socket.connect(Number(portText), host, () => {
      socket.end();
      resolve(undefined);
    });
  });
  return [
    reachable === undefined
      ? check("relay", "ok", `${address} accepts connections`)
      : check(
          "relay",
          "fail",
          `${address}: ${reachable}`,
          "check the network route and firewall to the relay (outbound TCP), and the relay's address",
        ),
    certificateExpiry("relay client certificate", certFile, nowMs),
    certificateExpiry("relay CA certificate", caCertFile, nowMs),
  ];
}

/** Runs every check against the configuration (the gateway may be running or not). */
export async function examineGateway(config: GatewayConfig, nowMs = Date.now()): Promise<DoctorCheck[]> {
  return [
    ...dataFolder(config),
    clock(nowMs),
    ...serialPorts(config),
    ...(config.mqtt.broker ? [] : [await port("mqtt port", config.mqtt.host, config.mqtt.port, false)]),
    await port("http port", config.http.host, config.http.port, true),
    ...(await relay(config, nowMs)),
  ];
}

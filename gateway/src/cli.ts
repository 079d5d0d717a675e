// The gateway's command line: run it from a configuration file, or register and recover devices.
import { userInfo } from "node:os";
import { parseArgs } from "node:util";
import { readJsonFile, runCommand, stopOnSignals, stringOptions, usageFailure } from "@intelledger/service-kit";
import { pino } from "pino";
import { AuditLog } from "./auth/audit-log.js";
import { parseGatewayConfig } from "./config.js";
import type { AuditTrail, DeviceRegistry } from "./devices/device-registry.js";
import { withOfflineRegistry } from "./devices/offline-registration.js";
import { startGateway } from "./gateway.js";
import { GATEWAY_VERSION } from "./gateway-version.js";
import { ServiceWatchdog } from "./appliance/service-watchdog.js";
import { backupGateway, readPassphraseFile, restoreGateway } from "./appliance/gateway-backup.js";
import { examineGateway } from "./appliance/gateway-doctor.js";
import { systemdServiceManager } from "./appliance/systemd-notify.js";

const USAGE = `usage:
  gateway start --config <file.json>
      Runs the gateway until SIGINT or SIGTERM. The file holds the configuration
      (see gateway/src/config.ts); logs go to stdout as JSON lines. Under systemd
      (Type=notify) it reports readiness and pets the watchdog while healthy.
  gateway version
      Prints the gateway's release and the Node.js it runs on.
  gateway doctor --config <file.json>
      Checks what a gateway needs on site: its data folder and disk, its database, the
      clock, the serial ports, its ports, the relay's reachability and its certificates.
      Prints one line per check (ok, warn, fail) with what to do; exits 1 on a failure.
  gateway backup --data-dir <dir> --out <file> [--config <file.json>] [--passphrase-file <file>]
      Writes an encrypted backup (AES-256-GCM, key from the passphrase by scrypt) of the
      gateway's keys, database, configuration history, flows and relay certificates, and of
      --config when given. Works while the gateway runs. The passphrase comes from
      --passphrase-file or INTELLEDGER_BACKUP_PASSPHRASE (12 characters or more).
  gateway restore --in <file> --data-dir <dir> [--config-out <file.json>] [--passphrase-file <file>]
      Restores a backup onto an empty data folder (new hardware): the same gateway, with its
      devices, accounts and unsent readings. Writes the backed-up configuration file to
      --config-out when given. Prints what the backup holds.
  gateway add-device --data-dir <dir> --device-id <id> --public-key <hex>
      Registers a device (65-byte uncompressed P-256 point, hex) with a stopped gateway and
      prints its MQTT login for the embedded broker (user name = device id, password = a
      token shown only this once; provision the device with it).
  gateway mqtt-login --data-dir <dir> --device-id <id>
      Issues a device a new MQTT login, replacing its old one.
  gateway reset-counter --data-dir <dir> --device-id <id> --counter <n>
      Sets the counter the device's next frame must exceed: 0 for a device whose storage was
      wiped, its current counter for one whose counter moved further ahead than the gateway
      accepts in one step (ingest.maxCounterJump).
  gateway rotate-key --data-dir <dir> --device-id <id> --public-key <hex> [--counter <n>]
      Replaces a device's key (re-provisioned, or the old key leaked); its counter restarts
      at --counter (default 0).
  The device commands work on a stopped gateway and are recorded in its audit log under
  cli:<user>.`;

const fail = usageFailure(USAGE);

async function start(configPath: string): Promise<void> {
  const logger = pino();
  const gateway = await startGateway(parseGatewayConfig(readJsonFile(configPath, fail)), logger);
  const manager = systemdServiceManager();
  const watchdog = manager && new ServiceWatchdog({ manager, health: () => gateway.health(), logger });
  watchdog?.ready(`running: gateway ${gateway.id}, version ${GATEWAY_VERSION}`);
  stopOnSignals(
    {
      async stop() {
        watchdog?.stopping();
        await gateway.stop();
      },
    },
    logger,
  );
}

function publicKeyPoint(hex: string): Uint8Array {
  if (!/^04[0-9a-fA-F]{128}$/.test(hex)) fail("--public-key must be 65 bytes of hex starting with 04");
  return Uint8Array.from(Buffer.from(hex, "hex"));
}

function counter(text: string): bigint {
  if (!/^\d{1,19}$/.test(text)) fail("--counter must be a whole number from 0 to 9223372036854775807");
  return BigInt(text);
}

/** Changes a stopped gateway's devices, recorded in its audit log; prints what `change` returns. */
function changeDevices(dataDir: string, change: (registry: DeviceRegistry, trail: AuditTrail) => object): void {
  // Audit entries are also logged: to stderr, so stdout stays the command's answer.
  const logger = pino(pino.destination(2));
  const result = withOfflineRegistry(dataDir, (registry, db) =>
    change(registry, { audit: new AuditLog(db, logger), actor: `cli:${userInfo().username}` }),
  );
  console.log(JSON.stringify(result));
}

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    ...stringOptions("config", "data-dir", "device-id", "public-key", "counter", "out", "in", "config-out", "passphrase-file"),
    help: { type: "boolean", short: "h" },
  },
});

if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const [command] = positionals;
await runCommand(async () => {
  if (command === "backup" || command === "restore") {
    const dataDir = values["data-dir"] ?? fail(`${command} needs --data-dir`);
    const passphrase =
      values["passphrase-file"] === undefined
        ? (process.env.INTELLEDGER_BACKUP_PASSPHRASE ??
          fail(`${command} needs --passphrase-file or INTELLEDGER_BACKUP_PASSPHRASE`))
        : readPassphraseFile(values["passphrase-file"]);
    const manifest =
      command === "backup"
        ? await backupGateway({
            dataDir,
            passphrase,
            out: values.out ?? fail("backup needs --out"),
            ...(values.config === undefined ? {} : { configFile: values.config }),
          })
        : await restoreGateway({
            dataDir,
            passphrase,
            archive: values.in ?? fail("restore needs --in"),
            ...(values["config-out"] === undefined ? {} : { configOut: values["config-out"] }),
          });
    console.log(JSON.stringify(manifest));
  } else if (command === "doctor") {
    const checks = await examineGateway(parseGatewayConfig(readJsonFile(values.config ?? fail("doctor needs --config"), fail)));
    for (const { level, check, detail, fix } of checks) {
      console.log(`${level.padEnd(4)}  ${check}: ${detail}${fix === undefined ? "" : `\n      → ${fix}`}`);
    }
    if (checks.some((entry) => entry.level === "fail")) process.exitCode = 1;
  } else if (command === "version") {
    console.log(JSON.stringify({ gateway: GATEWAY_VERSION, node: process.versions.node, arch: process.arch }));
  } else if (command === "start") {
    await start(values.config ?? fail("start needs --config"));
  } else if (["add-device", "mqtt-login", "reset-counter", "rotate-key"].includes(command ?? "")) {
    const dataDir = values["data-dir"] ?? fail(`${command} needs --data-dir`);
    const deviceId = values["device-id"] ?? fail(`${command} needs --device-id`);
    changeDevices(dataDir, (registry, trail) => {
      if (command === "add-device") {
        registry.register(deviceId, publicKeyPoint(values["public-key"] ?? fail("add-device needs --public-key")), trail);
        return { registered: deviceId, mqttLogin: registry.issueMqttCredentials(deviceId, trail) };
      }
      if (command === "mqtt-login") return { mqttLogin: registry.issueMqttCredentials(deviceId, trail) };
      if (command === "reset-counter") {
        const to = counter(values.counter ?? fail("reset-counter needs --counter"));
        registry.resetCounter(deviceId, to, trail);
        return { deviceId, counter: to.toString() };
      }
      const to = counter(values.counter ?? "0");
      registry.rotateKey(deviceId, publicKeyPoint(values["public-key"] ?? fail("rotate-key needs --public-key")), trail, to);
      return { deviceId, keyRotated: true, counter: to.toString() };
    });
  } else {
    fail(command === undefined ? "no command given" : `unknown command ${command}`);
  }
});

import { execFileSync } from "node:child_process";
import { chmodSync, lchownSync, lstatSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { Logger } from "pino";
import { GatewayError } from "../errors.js";

/** The account Node-RED runs as when the gateway runs as root and none is configured. */
export const FALLBACK_FLOWS_USER = "nobody";

export interface FlowsUser {
  name: string;
  uid: number;
  gid: number;
}

function lookUpUser(name: string): FlowsUser {
  let entry: string;
  try {
    entry = execFileSync("getent", ["passwd", name], { encoding: "utf8" });
  } catch (error) {
    throw new GatewayError(
      `http.nodeRed.user: there is no user ${JSON.stringify(name)} on this system`,
      { name },
      { cause: error },
    );
  }
  const [, , uid, gid] = entry.trim().split(":");
  const user = { name, uid: Number(uid), gid: Number(gid) };
  if (!Number.isInteger(user.uid) || !Number.isInteger(user.gid)) {
    throw new GatewayError(`http.nodeRed.user: cannot read the ids of ${JSON.stringify(name)}`, { entry });
  }
  if (user.uid === 0) throw new GatewayError("http.nodeRed.user: flows must not run as root", { name });
  return user;
}

/**
 * The user Node-RED runs as: the configured one, `nobody` when the gateway runs as root and
 * none is configured, or undefined for the gateway's own user (a gateway that may not change
 * users). Switching users takes root or the capabilities CAP_SETUID and CAP_SETGID.
 */
export function chooseFlowsUser(configured: string | undefined, logger: Logger): FlowsUser | undefined {
  const isRoot = process.getuid?.() === 0;
  if (configured !== undefined) return lookUpUser(configured);
  if (isRoot) {
    logger.warn(
      `Node-RED runs as ${FALLBACK_FLOWS_USER}; give it a user of its own with http.nodeRed.user (see the gateway's README)`,
    );
    return lookUpUser(FALLBACK_FLOWS_USER);
  }
  logger.warn(
    "Node-RED runs as the gateway's own user, so flows that escape Node-RED can read the gateway's files; " +
      "set http.nodeRed.user and let the gateway switch users (see the gateway's README)",
  );
  return undefined;
}

/** Takes group and other permissions off everything directly in `dir` but `except`. */
function closeEntries(dir: string, except: string): void {
  for (const name of readdirSync(dir)) {
    if (name === except) continue;
    const path = join(dir, name);
    const stat = lstatSync(path);
    if (!stat.isSymbolicLink() && (stat.mode & 0o077) !== 0) chmodSync(path, stat.mode & 0o7700);
  }
}

function chownTree(path: string, user: FlowsUser): void {
  lchownSync(path, user.uid, user.gid);
  if (!lstatSync(path).isDirectory()) return;
  for (const name of readdirSync(path)) chownTree(join(path, name), user);
}

/** Refuses a data folder the flows user could not reach (a home folder closed to others, say). */
function assertPassable(dir: string, user: FlowsUser): void {
  for (let current = dir; ; current = dirname(current)) {
    const stat = statSync(current);
    const bit = stat.uid === user.uid ? 0o100 : stat.gid === user.gid ? 0o010 : 0o001;
    if ((stat.mode & bit) === 0) {
      throw new GatewayError(
        `Node-RED's user ${user.name} cannot pass through ${current} to its folder; ` +
          "let others pass (chmod o+x) or put the gateway's data folder elsewhere",
        { folder: current, user: user.name },
      );
    }
    if (dirname(current) === current) return;
  }
}

/**
 * Node-RED's folder inside the gateway's data folder, made the flows user's own. With a
 * user of its own, the data folder becomes passable but not listable (0711) and everything
 * else in it readable by the gateway only, so Node-RED reaches its folder and nothing
 * beside it: not the keys, not the database, not the pairing code.
 */
export function prepareFlowsFolder(userDir: string, user: FlowsUser | undefined): void {
  mkdirSync(userDir, { recursive: true, mode: 0o700 });
  if (!lstatSync(userDir).isDirectory()) throw new GatewayError(`${userDir} is not a folder`, { userDir });
  chmodSync(userDir, 0o700);
  if (!user) return;
  const dataDir = dirname(userDir);
  assertPassable(dirname(dataDir), user);
  closeEntries(dataDir, basename(userDir));
  chmodSync(dataDir, 0o711);
  chownTree(userDir, user);
}

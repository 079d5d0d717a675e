import type { NodeRedLogLine } from "node-red-contrib-intelledger/channel-messages";
import type { Logger } from "pino";

const LEVELS = new Map<number, "fatal" | "error" | "warn" | "info" | "debug" | "trace">([
  [10, "fatal"],
  [20, "error"],
  [30, "warn"],
  [40, "info"],
  [50, "debug"],
  [60, "trace"],
]);

/** A log line of the Node-RED process, at its level in the gateway's log. */
export function logNodeRedLine(logger: Logger, line: NodeRedLogLine): void {
  const level = LEVELS.get(line.level);
  if (!level) return;
  logger[level](line.node ? { node: line.node } : {}, line.msg);
}

import type { Logger } from "pino";

interface NodeRedLogMessage {
  level: number;
  msg: unknown;
  id?: string;
  type?: string;
  name?: string;
}

const LEVELS = new Map<number, "fatal" | "error" | "warn" | "info" | "debug" | "trace">([
  [10, "fatal"],
  [20, "error"],
  [30, "warn"],
  [40, "info"],
  [50, "debug"],
  [60, "trace"],
]);

/** Node-RED's logging settings: everything to the gateway's logger, nothing to the console. */
export function nodeRedLogging(logger: Logger, level: "info" | "debug" = "info") {
  return {
    gateway: {
      level,
      metrics: false,
      audit: false,
      handler: () => (message: NodeRedLogMessage) => {
        const pinoLevel = LEVELS.get(message.level);
        if (!pinoLevel) return;
        const text =
          message.msg instanceof Error
            ? message.msg.message
            : typeof message.msg === "string"
              ? message.msg
              : JSON.stringify(message.msg);
        const node = message.id === undefined ? undefined : { id: message.id, type: message.type, name: message.name };
        logger[pinoLevel](node ? { node } : {}, text);
      },
    },
  };
}

import { errorMessage } from "@intelledger/service-kit";
import type { GatewayCallResult, GatewayMessage } from "node-red-contrib-intelledger/channel-messages";
import type { DeviceAction, IntelLedgerGatewayApi } from "node-red-contrib-intelledger/gateway-api";
import type { Logger } from "pino";
import { z } from "zod";
import { GatewayError } from "../errors.js";
import { RateLimit } from "./rate-limit.js";

const MEASURED_CHANNELS = ["temperature", "humidity", "vibration", "analog"] as const;
const text = (max: number) => z.string().max(max);

const callSchema = z.discriminatedUnion("op", [
  z.object({
    op: z.literal("sendDeviceCommand"),
    deviceId: text(64),
    // Checked in full where it becomes a wire command (flow-api.ts).
    action: z.object({ type: text(32) }).loose(),
    requestedBy: text(100),
  }),
  z.object({
    op: z.literal("writeDerivedReading"),
    input: z.object({
      source: text(64),
      channel: z.enum(MEASURED_CHANNELS),
      channelIndex: z.number().int(),
      value: z.number(),
      scale: z.number().int(),
      sampledAtMs: z.number().optional(),
    }),
  }),
  z.object({
    op: z.literal("raiseAlert"),
    input: z.object({
      source: text(64),
      severity: z.enum(["info", "warning", "critical"]),
      code: z.number().int(),
      message: text(4_000),
      subject: z.object({ deviceId: text(64), gatewaySeq: z.number().int().optional() }).optional(),
    }),
  }),
  z.object({
    op: z.literal("querySeries"),
    request: z.object({
      stream: text(100),
      fromMs: z.number().int().optional(),
      toMs: z.number().int().optional(),
      resolution: z.enum(["auto", "raw", "1m", "1h"]).optional(),
      limit: z.number().int().min(1).max(20_000).optional(),
    }),
  }),
]);

/** Every message the Node-RED process may send; anything else is refused. */
export const nodeRedMessageSchema = z.discriminatedUnion("t", [
  z.object({ t: z.literal("heartbeat") }),
  z.object({ t: z.literal("ready"), port: z.number().int().min(1).max(65_535) }),
  z.object({ t: z.literal("flows"), rev: z.string().regex(/^[0-9a-f]{64}$/) }),
  z.object({
    t: z.literal("log"),
    level: z.number().int(),
    msg: z.string().transform((message) => message.slice(0, 2_000)),
    node: z.object({ id: text(64).optional(), type: text(64).optional(), name: text(200).optional() }).optional(),
  }),
  z.object({ t: z.literal("subscribe"), feed: z.enum(["readings", "scores", "status", "alerts"]), on: z.boolean() }),
  z.object({ t: z.literal("call"), id: z.number().int().min(0), call: callSchema }),
]);

type NodeRedMessage = z.infer<typeof nodeRedMessageSchema>;
type GatewayCall = Extract<NodeRedMessage, { t: "call" }>["call"];

export interface FlowChannelLimits {
  /** Derived readings and alerts per second, sustained; twice as many at once. */
  writesPerSecond: number;
  /** Writes waiting to be durable; more are refused until some are. */
  maxPendingWrites: number;
  /** Device commands per minute, all devices together; a quarter of them at once. */
  commandsPerMinute: number;
}

/** Readings for flows are dropped while this much is still on its way to the process. */
const MAX_FEED_BACKLOG_BYTES = 4 * 1024 * 1024;
const STATUS_INTERVAL_MS = 2_000;
/** A device gets at most one command a second from flows, whatever the nodes say. */
const DEVICE_COMMAND_INTERVAL_MS = 1_000;

/**
 * The gateway's side of the channel for one Node-RED process: answers the calls of
 * gateway-api.d.ts with the gateway's API (commands audited there), within rate limits
 * and a cap on pending writes, and feeds readings, scores and status while the process
 * asks for them. Nothing here waits for the process: what it cannot take is dropped.
 */
export class FlowChannelServer {
  private readonly api: IntelLedgerGatewayApi;
  private readonly send: (message: GatewayMessage) => void;
  private readonly backlogBytes: () => number;
  private readonly logger: Logger;
  private readonly limits: FlowChannelLimits;
  private readonly writes: RateLimit;
  private readonly commands: RateLimit;
  private readonly deviceCommands: RateLimit;
  private readonly warnings = new RateLimit({ perSecond: 1, burst: 5 });
  private readonly feeds = new Map<"readings" | "scores" | "status" | "alerts", () => void>();
  private pendingWrites = 0;
  /** Readings and scores the process could not take. */
  dropped = 0;

  constructor(deps: {
    api: IntelLedgerGatewayApi;
    send: (message: GatewayMessage) => void;
    backlogBytes: () => number;
    limits: FlowChannelLimits;
    logger: Logger;
  }) {
    this.api = deps.api;
    this.send = deps.send;
    this.backlogBytes = deps.backlogBytes;
    this.logger = deps.logger;
    this.limits = deps.limits;
    this.writes = new RateLimit({ perSecond: deps.limits.writesPerSecond, burst: deps.limits.writesPerSecond * 2 });
    this.commands = new RateLimit({
      perSecond: deps.limits.commandsPerMinute / 60,
      burst: Math.max(1, Math.ceil(deps.limits.commandsPerMinute / 4)),
    });
    this.deviceCommands = new RateLimit({ perSecond: 1_000 / DEVICE_COMMAND_INTERVAL_MS, burst: 1 });
  }

  handle(message: Extract<NodeRedMessage, { t: "subscribe" | "call" }>): void {
    if (message.t === "subscribe") {
      this.follow(message.feed, message.on);
      return;
    }
    const { id, call } = message;
    this.serve(call).then(
      (value) => this.send({ t: "result", id, value }),
      (error: unknown) => this.send({ t: "result", id, error: errorMessage(error) }),
    );
  }

  close(): void {
    for (const stop of this.feeds.values()) stop();
    this.feeds.clear();
  }

  private async serve(call: GatewayCall): Promise<GatewayCallResult> {
    switch (call.op) {
      case "sendDeviceCommand": {
        if (!this.commands.take() || !this.deviceCommands.take(call.deviceId)) {
          if (this.warnings.take()) {
            this.logger.warn(
              { deviceId: call.deviceId, requestedBy: call.requestedBy },
              "a flow's device command was refused: rate limit",
            );
          }
          throw new GatewayError(
            `rate limit: flows may send ${this.limits.commandsPerMinute} commands a minute, one a second per device`,
            { deviceId: call.deviceId },
          );
        }
        const requestedBy = /^node-red:[\w.-]{1,64}$/.test(call.requestedBy) ? call.requestedBy : "node-red";
        // The gateway's API checks the action in full before it becomes a command.
        return this.api.sendDeviceCommand(call.deviceId, call.action as DeviceAction, requestedBy);
      }
      case "writeDerivedReading":
        return this.write(() => this.api.writeDerivedReading(call.input));
      case "raiseAlert":
        return this.write(() => this.api.raiseAlert(call.input));
      case "querySeries":
        return this.api.querySeries(call.request);
    }
  }

  private async write<Stored>(store: () => Promise<Stored>): Promise<Stored> {
    if (this.pendingWrites >= this.limits.maxPendingWrites) {
      throw new GatewayError(`write-back quota: ${this.limits.maxPendingWrites} writes are still waiting to be stored`);
    }
    if (!this.writes.take()) {
      throw new GatewayError(`rate limit: flows may write back ${this.limits.writesPerSecond} readings and alerts a second`);
    }
    this.pendingWrites++;
    try {
      return await store();
    } finally {
      this.pendingWrites--;
    }
  }

  private follow(feed: "readings" | "scores" | "status" | "alerts", on: boolean): void {
    this.feeds.get(feed)?.();
    this.feeds.delete(feed);
    if (!on) return;
    switch (feed) {
      case "readings":
        this.feeds.set(
          feed,
          this.api.subscribeReadings((readings) => this.sendFeed(readings.length, { t: "readings", readings: [...readings] })),
        );
        return;
      case "scores":
        this.feeds.set(
          feed,
          this.api.subscribeScores((scored) => this.sendFeed(1, { t: "score", scored })),
        );
        return;
      case "alerts":
        // Alerts are few and each one matters: they are not dropped with readings.
        this.feeds.set(
          feed,
          this.api.subscribeRuleAlerts((alert) => this.send({ t: "alert", alert })),
        );
        return;
      case "status": {
        const timer = setInterval(() => this.send({ t: "status", status: this.api.status() }), STATUS_INTERVAL_MS);
        timer.unref();
        this.feeds.set(feed, () => clearInterval(timer));
        return;
      }
    }
  }

  /** Readings go out only while the process keeps up; the gateway never queues for it. */
  private sendFeed(count: number, message: GatewayMessage): void {
    if (this.backlogBytes() > MAX_FEED_BACKLOG_BYTES) {
      if (this.dropped === 0) this.logger.warn("Node-RED is not keeping up: readings for flows are dropped");
      this.dropped += count;
      return;
    }
    this.send(message);
  }
}

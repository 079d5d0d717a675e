import { Channel } from "@intelledger/proto/device";
import type { Reading } from "@intelledger/proto/relay";
import { parseOrThrow } from "@intelledger/service-kit";
import type {
  ChannelName,
  DeviceAction as FlowDeviceAction,
  FlowReading,
  IntelLedgerGatewayApi,
  MeasuredChannel,
} from "node-red-contrib-intelledger/gateway-api";
import { z } from "zod";
import { commandResultName, type AuditedCommands } from "../commands/audited-commands.js";
import type { CommandAction } from "../commands/command-service.js";
import { isDerivedDeviceId, type DerivedStore } from "../store/derived-store.js";
import { GatewayError } from "../errors.js";
import type { AnomalyFeed } from "../feeds/anomaly-feed.js";
import type { ReadingFeed } from "../feeds/reading-feed.js";
import type { GatewaySnapshot } from "../gateway-snapshot.js";
import type { RuleAlertFeed } from "../analytics/rule-alert-feed.js";
import type { SeriesQuery } from "../analytics/series-query.js";
import { formatStreamId, parseStreamId } from "../analytics/stream-id.js";

const CHANNELS: Record<ChannelName, Channel> = {
  temperature: Channel.CHANNEL_TEMPERATURE,
  humidity: Channel.CHANNEL_HUMIDITY,
  vibration: Channel.CHANNEL_VIBRATION,
  analog: Channel.CHANNEL_ANALOG,
  alert: Channel.CHANNEL_ALERT,
};
const CHANNEL_NAMES = new Map<Channel, ChannelName>(
  Object.entries(CHANNELS).map(([name, channel]) => [channel, name as ChannelName]),
);
const MEASURED_CHANNELS = ["temperature", "humidity", "vibration", "analog"] as const satisfies readonly MeasuredChannel[];

/** A command for a device, as flows and the HTTP API give it (JSON; see flows/gateway-api.d.ts, DeviceAction). */
export const deviceActionSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("setSamplingInterval"), intervalMs: z.number().int().min(10).max(86_400_000) }),
  z.object({
    type: z.literal("setThresholds"),
    thresholds: z
      .array(
        z.object({
          channel: z.enum(MEASURED_CHANNELS),
          index: z.number().int().min(0),
          min: z.number(),
          max: z.number(),
          scale: z.number().int().min(0).max(9),
        }),
      )
      .min(1)
      .max(16),
  }),
  z.object({ type: z.literal("reboot") }),
]);

/** value × 10^scale as the wire's fixed-point sint32. */
function toFixedPoint(value: number, scale: number): number {
  const fixed = Math.round(value * 10 ** scale);
  if (!Number.isFinite(value) || fixed < -(2 ** 31) || fixed >= 2 ** 31) {
    throw new GatewayError(`${value} does not fit a 32-bit fixed-point value with ${scale} decimals`, { value, scale });
  }
  return fixed;
}

export function toFlowReading(reading: Reading): FlowReading {
  return {
    gatewaySeq: reading.gatewaySeq,
    deviceId: reading.deviceId,
    derived: isDerivedDeviceId(reading.deviceId),
    channel: CHANNEL_NAMES.get(reading.channel) ?? "analog",
    channelIndex: reading.channelIndex,
    value: reading.value,
    scale: reading.scale,
    sampledAtMs: reading.sampledAtMs,
    receivedAtMs: reading.receivedAtMs,
    // Flows get a number: exact below 2^53, which derived sources never reach and devices rarely do.
    frameCounter: Number(reading.frameCounter),
  };
}

/** A flow's command in the wire's terms; flows give it as JSON, so it is checked here. */
export function toDeviceAction(input: FlowDeviceAction): CommandAction {
  const action = parseOrThrow(deviceActionSchema, input, (problems) => new GatewayError(`invalid device command: ${problems}`));
  switch (action.type) {
    case "setSamplingInterval":
      return { $case: "setSamplingInterval", value: { intervalMs: action.intervalMs } };
    case "reboot":
      return { $case: "reboot", value: {} };
    case "setThresholds":
      return {
        $case: "setThresholds",
        value: {
          thresholds: action.thresholds.map((threshold) => ({
            channel: CHANNELS[threshold.channel],
            index: threshold.index,
            minValue: toFixedPoint(threshold.min, threshold.scale),
            maxValue: toFixedPoint(threshold.max, threshold.scale),
            scale: threshold.scale,
          })),
        },
      };
  }
}

/** The gateway as the IntelLedger Node-RED nodes see it (see flows/gateway-api.d.ts). */
export function createFlowGatewayApi(deps: {
  gatewayId: string;
  readingFeed: ReadingFeed;
  anomalies: AnomalyFeed;
  commands: AuditedCommands;
  derived: DerivedStore;
  series: SeriesQuery;
  ruleAlerts: RuleAlertFeed;
  snapshot: () => GatewaySnapshot;
}): IntelLedgerGatewayApi {
  return {
    gatewayId: deps.gatewayId,
    subscribeReadings: (listener) => deps.readingFeed.subscribe((readings) => listener(readings.map(toFlowReading))),
    subscribeScores: (listener) =>
      deps.anomalies.subscribe(({ reading, anomaly }) => listener({ reading: toFlowReading(reading), anomaly: { ...anomaly } })),
    async sendDeviceCommand(deviceId, action, requestedBy) {
      const outcome = await deps.commands.send(deviceId, toDeviceAction(action), requestedBy);
      return { deviceId, commandId: outcome.commandId, result: commandResultName(outcome.result) };
    },
    async writeDerivedReading(input) {
      const stored = await deps.derived.writeReading({
        source: input.source,
        channel: CHANNELS[input.channel],
        channelIndex: input.channelIndex,
        value: toFixedPoint(input.value, input.scale),
        scale: input.scale,
        sampledAtMs: input.sampledAtMs,
      });
      return toFlowReading(stored);
    },
    async raiseAlert(input) {
      const { reading, alert } = await deps.derived.raiseAlert({
        source: input.source,
        severity: input.severity,
        code: input.code,
        message: input.message,
        subjectDeviceId: input.subject?.deviceId,
        subjectGatewaySeq: input.subject?.gatewaySeq,
      });
      return { reading: toFlowReading(reading), severity: alert.severity, code: alert.code, message: alert.message };
    },
    querySeries(request) {
      const stream = parseStreamId(request.stream);
      if (typeof stream === "string") return Promise.reject(new GatewayError(`stream: ${stream}`));
      const toMs = request.toMs ?? Date.now();
      const fromMs = request.fromMs ?? toMs - 86_400_000;
      if (fromMs > toMs) return Promise.reject(new GatewayError("fromMs: must not be after toMs"));
      const answer = deps.series.query(stream, fromMs, toMs, request.resolution ?? "auto", request.limit ?? 10_000);
      return Promise.resolve({ stream: formatStreamId(stream), fromMs, toMs, ...answer });
    },
    subscribeRuleAlerts: (listener) => deps.ruleAlerts.subscribe(listener),
    status() {
      const snapshot = deps.snapshot();
      return {
        gatewayId: snapshot.gatewayId,
        readingsStored: snapshot.readingsStored,
        framesAccepted: snapshot.ingest.framesAccepted,
        framesRejected: Object.values(snapshot.ingest.rejected).reduce((sum, count) => sum + count, 0),
        batchesSealed: snapshot.batchesSealed,
        batchesAcked: snapshot.batchesAcked,
        backlog: { ...snapshot.backlog },
        uplink: snapshot.uplink?.state ?? "not-configured",
      };
    },
  };
}

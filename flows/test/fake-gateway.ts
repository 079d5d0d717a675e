import type {
  AlertInput,
  DerivedReadingInput,
  DeviceAction,
  FlowReading,
  GatewayStatus,
  IntelLedgerGatewayApi,
  RuleAlert,
  ScoredReading,
  SeriesAnswer,
  SeriesRequest,
} from "../gateway-api.js";

/** An in-memory gateway for node tests: push readings and scores in, see what the nodes asked for. */
export class FakeGateway implements IntelLedgerGatewayApi {
  readonly gatewayId = "0x00000000000000000000000000000000000000aa";
  readonly readingListeners = new Set<(readings: readonly FlowReading[]) => void>();
  readonly scoreListeners = new Set<(scored: ScoredReading) => void>();
  readonly commands: { deviceId: string; action: DeviceAction; requestedBy: string }[] = [];
  readonly derived: DerivedReadingInput[] = [];
  readonly alerts: AlertInput[] = [];
  readonly ruleAlertListeners = new Set<(alert: RuleAlert) => void>();
  readonly seriesRequests: SeriesRequest[] = [];
  commandFailure: Error | undefined;
  commandResult = "applied";
  private seq = 100;

  subscribeReadings(listener: (readings: readonly FlowReading[]) => void): () => void {
    this.readingListeners.add(listener);
    return () => this.readingListeners.delete(listener);
  }

  subscribeScores(listener: (scored: ScoredReading) => void): () => void {
    this.scoreListeners.add(listener);
    return () => this.scoreListeners.delete(listener);
  }

  emitReadings(readings: FlowReading[]): void {
    for (const listener of this.readingListeners) listener(readings);
  }

  emitScore(scored: ScoredReading): void {
    for (const listener of this.scoreListeners) listener(scored);
  }

  sendDeviceCommand(deviceId: string, action: DeviceAction, requestedBy: string) {
    if (this.commandFailure) return Promise.reject(this.commandFailure);
    this.commands.push({ deviceId, action, requestedBy });
    return Promise.resolve({ deviceId, commandId: this.commands.length, result: this.commandResult });
  }

  writeDerivedReading(input: DerivedReadingInput) {
    this.derived.push(input);
    return Promise.resolve(
      reading({
        gatewaySeq: ++this.seq,
        deviceId: `flow.${input.source}`,
        derived: true,
        channel: input.channel,
        value: Math.round(input.value * 10 ** input.scale),
        scale: input.scale,
      }),
    );
  }

  raiseAlert(input: AlertInput) {
    this.alerts.push(input);
    const stored = reading({ gatewaySeq: ++this.seq, deviceId: `flow.${input.source}`, derived: true, channel: "alert" });
    return Promise.resolve({ reading: stored, severity: input.severity, code: input.code, message: input.message });
  }

  subscribeRuleAlerts(listener: (alert: RuleAlert) => void): () => void {
    this.ruleAlertListeners.add(listener);
    return () => this.ruleAlertListeners.delete(listener);
  }

  emitRuleAlert(alert: RuleAlert): void {
    for (const listener of this.ruleAlertListeners) listener(alert);
  }

  /** Answers with one bucket per request, or refuses a stream without a channel as the gateway does. */
  querySeries(request: SeriesRequest): Promise<SeriesAnswer> {
    this.seriesRequests.push(request);
    if (request.stream.split("/").length < 2)
      return Promise.reject(new Error("stream: a stream is <deviceId>/<channel>[/<index>]"));
    const bucket = { bucketMs: 0, count: 2, min: 1, max: 3, mean: 2, last: 3, lastSampledAtMs: 1, anomalyCount: 0, lateCount: 0 };
    return Promise.resolve({
      stream: request.stream,
      fromMs: request.fromMs ?? 0,
      toMs: request.toMs ?? 1,
      resolution: "1h",
      buckets: [bucket],
      truncated: false,
    });
  }

  status(): GatewayStatus {
    return {
      gatewayId: this.gatewayId,
      readingsStored: 42,
      framesAccepted: 14,
      framesRejected: 1,
      batchesSealed: 3,
      batchesAcked: 2,
      backlog: { batches: 1, readings: 10 },
      uplink: "uploading",
    };
  }
}

/** A stored reading with plausible defaults. */
export function reading(overrides: Partial<FlowReading> = {}): FlowReading {
  return {
    gatewaySeq: 1,
    deviceId: "press-01",
    derived: false,
    channel: "vibration",
    channelIndex: 0,
    value: 213,
    scale: 3,
    sampledAtMs: 1_700_000_000_000,
    receivedAtMs: 1_700_000_000_050,
    frameCounter: 7,
    ...overrides,
  };
}

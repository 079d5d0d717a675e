import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import { Channel } from "@intelledger/proto/device";

/** Inference on the gateway's Prometheus registry, updated as the scorer works. */
export class InferenceMetrics {
  readonly scored: Counter<"model">;
  readonly anomalies: Counter<"device" | "channel">;
  readonly batchSeconds: Histogram;
  readonly lagSeconds: Histogram;
  readonly modelInfo: Gauge<"model" | "version">;
  readonly swaps: Counter;
  readonly sealedUnscored: Counter;
  readonly failures: Counter;

  constructor(registry: Registry) {
    const registers = [registry];
    this.scored = new Counter({
      name: "intelledger_gateway_readings_scored_total",
      help: "Readings whose anomaly flag inference decided, by model version.",
      labelNames: ["model"],
      registers,
    });
    this.anomalies = new Counter({
      name: "intelledger_gateway_anomalies_flagged_total",
      help: "Readings flagged anomalous, by device and channel.",
      labelNames: ["device", "channel"],
      registers,
    });
    this.batchSeconds = new Histogram({
      name: "intelledger_gateway_inference_batch_seconds",
      help: "Time the model took to score one batch of readings.",
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    });
    this.lagSeconds = new Histogram({
      name: "intelledger_gateway_inference_lag_seconds",
      help: "From a batch's oldest reading being received to its score being stored.",
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    this.modelInfo = new Gauge({
      name: "intelledger_gateway_inference_model_info",
      help: "1 for the anomaly model in use.",
      labelNames: ["model", "version"],
      registers,
    });
    this.swaps = new Counter({
      name: "intelledger_gateway_inference_model_swaps_total",
      help: "Anomaly models swapped in.",
      registers,
    });
    this.sealedUnscored = new Counter({
      name: "intelledger_gateway_readings_sealed_unscored_total",
      help: "Readings sealed as not anomalous because scoring did not reach them in time.",
      registers,
    });
    this.failures = new Counter({
      name: "intelledger_gateway_inference_failures_total",
      help: "Scoring batches that failed.",
      registers,
    });
  }

  modelInUse(name: string, version: number): void {
    this.modelInfo.reset();
    this.modelInfo.set({ model: name, version: String(version) }, 1);
  }

  channelLabel(channel: number): string {
    return (Channel[channel] ?? String(channel)).replace(/^CHANNEL_/, "").toLowerCase();
  }
}

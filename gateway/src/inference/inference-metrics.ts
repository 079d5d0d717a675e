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
    const counter = <Label extends string>(name: string, help: string, labelNames: Label[] = []) =>
      new Counter<Label>({ name, help, labelNames, registers });
    const gauge = <Label extends string>(name: string, help: string, labelNames: Label[]) =>
      new Gauge<Label>({ name, help, labelNames, registers });
    this.scored = counter(
      "intelledger_gateway_readings_scored_total",
      "Readings whose anomaly flag inference decided, by model version.",
      ["model"],
    );
    this.anomalies = counter(
      "intelledger_gateway_anomalies_flagged_total",
      "Readings flagged anomalous, by device and channel.",
      ["device", "channel"],
    );
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
    this.modelInfo = gauge("intelledger_gateway_inference_model_info", "1 for the anomaly model in use.", ["model", "version"]);
    this.swaps = counter("intelledger_gateway_inference_model_swaps_total", "Anomaly models swapped in.");
    this.sealedUnscored = counter(
      "intelledger_gateway_readings_sealed_unscored_total",
      "Readings sealed as not anomalous because scoring did not reach them in time.",
    );
    this.failures = counter("intelledger_gateway_inference_failures_total", "Scoring batches that failed.");
  }

  modelInUse(name: string, version: number): void {
    this.modelInfo.reset();
    this.modelInfo.set({ model: name, version: String(version) }, 1);
  }

  channelLabel(channel: number): string {
    return (Channel[channel] ?? String(channel)).replace(/^CHANNEL_/, "").toLowerCase();
  }
}

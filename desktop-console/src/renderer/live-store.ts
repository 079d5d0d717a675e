import { useEffect, useState } from "preact/hooks";
import type { BridgeEvent } from "../shared/bridge-types.js";

const SERIES_WINDOW_MS = 120_000;
const KEPT_ANOMALIES = 50;

export interface LatestReading {
  deviceId: string;
  channel: string;
  index: number;
  value: number;
  timestampMs: number;
  durableAtMs: number;
  transport: string;
}

export interface AnomalyEvent {
  deviceId: string;
  channel: string;
  score: number;
  threshold: number;
  receivedAtMs: number;
}

/** What the live stream said lately: the last reading of each stream, recent series, anomalies. */
class LiveStore {
  state: "connecting" | "open" | "closed" = "closed";
  stateDetail = "";
  readonly latest = new Map<string, LatestReading>();
  /** Per channel, per device/sensor: [timestampMs, value] points of the last two minutes. */
  readonly series = new Map<string, Map<string, [number, number][]>>();
  anomalies: AnomalyEvent[] = [];
  version = 0;
  private readonly listeners = new Set<() => void>();
  private scheduled = false;

  take(event: BridgeEvent): void {
    if (event.kind === "live-state") {
      this.state = event.state;
      this.stateDetail = event.detail;
    } else if (event.kind === "live" && event.type === "reading") {
      const reading = event.data as unknown as LatestReading;
      const stream = `${reading.deviceId}/${reading.channel}${reading.index ? `#${reading.index}` : ""}`;
      this.latest.set(stream, reading);
      const byStream = this.series.get(reading.channel) ?? new Map<string, [number, number][]>();
      this.series.set(reading.channel, byStream);
      const points = byStream.get(stream) ?? [];
      byStream.set(stream, points);
      points.push([reading.timestampMs, reading.value]);
      while (points.length > 0 && (points[0]?.[0] ?? 0) < reading.timestampMs - SERIES_WINDOW_MS) points.shift();
    } else if (event.kind === "live" && event.type === "anomaly") {
      const data = event.data as unknown as Omit<AnomalyEvent, "receivedAtMs">;
      this.anomalies = [{ ...data, receivedAtMs: Date.now() }, ...this.anomalies].slice(0, KEPT_ANOMALIES);
    } else {
      return;
    }
    this.changed();
  }

  reset(): void {
    this.latest.clear();
    this.series.clear();
    this.anomalies = [];
    this.state = "closed";
    this.changed();
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // Many readings a second arrive; screens redraw at most once a frame.
  private changed(): void {
    this.version++;
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => {
      this.scheduled = false;
      for (const listener of this.listeners) listener();
    });
  }
}

export const liveStore = new LiveStore();

/** Re-renders the calling component when the live stream brings something new. */
export function useLiveStore(): LiveStore {
  const [, setVersion] = useState(0);
  useEffect(() => liveStore.subscribe(() => setVersion(liveStore.version)), []);
  return liveStore;
}

import { Counter, Gauge, Registry } from "prom-client";

/**
 * Prometheus metrics read from a service's snapshot at scrape time, so nothing on a hot path
 * touches a metric. One snapshot serves every metric of a scrape.
 */
export class SnapshotMetrics<Snapshot> {
  readonly registry = new Registry();
  private readonly read: () => Snapshot;

  constructor(snapshot: () => Snapshot, cacheMs = 250) {
    let cached: { atMs: number; value: Snapshot } | undefined;
    this.read = () => {
      if (!cached || Date.now() - cached.atMs > cacheMs) cached = { atMs: Date.now(), value: snapshot() };
      return cached.value;
    };
  }

  counter(name: string, help: string, value: (snapshot: Snapshot) => number): this {
    const read = this.read;
    new Counter({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.reset();
        this.inc(value(read()));
      },
    });
    return this;
  }

  /** A counter with one label, one series per key of what `values` returns. */
  labelledCounter(
    name: string,
    help: string,
    label: string,
    values: (snapshot: Snapshot) => Readonly<Record<string, number>>,
  ): this {
    const read = this.read;
    new Counter({
      name,
      help,
      labelNames: [label],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [key, count] of Object.entries(values(read()))) this.inc({ [label]: key }, count);
      },
    });
    return this;
  }

  /** A gauge with one label, one series per key of what `values` returns (keys gone since the last scrape are dropped). */
  labelledGauge(
    name: string,
    help: string,
    label: string,
    values: (snapshot: Snapshot) => Readonly<Record<string, number>>,
  ): this {
    const read = this.read;
    new Gauge({
      name,
      help,
      labelNames: [label],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [key, value] of Object.entries(values(read()))) this.set({ [label]: key }, value);
      },
    });
    return this;
  }

  gauge(name: string, help: string, value: (snapshot: Snapshot) => number): this {
    const read = this.read;
    new Gauge({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.set(value(read()));
      },
    });
    return this;
  }
}

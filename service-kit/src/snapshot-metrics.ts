import { Counter, Gauge, Registry } from "prom-client";

/** Series of a labelled metric: label value to number. */
type LabelledValues<Snapshot> = (snapshot: Snapshot) => Readonly<Record<string, number>>;

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
    return this.define(Counter, name, help, undefined, (snapshot) => ({ total: value(snapshot) }));
  }

  /** A counter with one label, one series per key of what `values` returns. */
  labelledCounter(name: string, help: string, label: string, values: LabelledValues<Snapshot>): this {
    return this.define(Counter, name, help, label, values);
  }

  /** A gauge with one label, one series per key of what `values` returns (keys gone since the last scrape are dropped). */
  labelledGauge(name: string, help: string, label: string, values: LabelledValues<Snapshot>): this {
    return this.define(Gauge, name, help, label, values);
  }

  gauge(name: string, help: string, value: (snapshot: Snapshot) => number): this {
    return this.define(Gauge, name, help, undefined, (snapshot) => ({ value: value(snapshot) }));
  }

  /** A metric whose series are set anew from the snapshot at each scrape; unlabelled when `label` is undefined. */
  private define(
    Metric: typeof Counter | typeof Gauge,
    name: string,
    help: string,
    label: string | undefined,
    values: LabelledValues<Snapshot>,
  ): this {
    const read = this.read;
    new Metric({
      name,
      help,
      labelNames: label === undefined ? [] : [label],
      registers: [this.registry],
      collect(this: Counter | Gauge) {
        this.reset();
        for (const [key, value] of Object.entries(values(read()))) {
          const labels = label === undefined ? {} : { [label]: key };
          if (this instanceof Gauge) this.set(labels, value);
          else this.inc(labels, value);
        }
      },
    });
    return this;
  }
}

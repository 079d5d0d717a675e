import { Counter, Gauge, Registry } from "prom-client";

/** Series of a labelled metric: label value to number. */
type LabelledValues<Snapshot> = (snapshot: Snapshot) => Readonly<Record<string, number>>;

/** How one metric reads its series from a snapshot; unlabelled (one series) when `label` is undefined. */
export interface MetricDeclaration<Snapshot> {
  metric: typeof Counter | typeof Gauge;
  help: string;
  label: string | undefined;
  values: LabelledValues<Snapshot>;
}

/** A service's metrics by name (after the table's prefix), in the order they are exposed. */
export type MetricTable<Snapshot> = Readonly<Record<string, MetricDeclaration<Snapshot>>>;

export function counter<Snapshot>(help: string, value: (snapshot: Snapshot) => number): MetricDeclaration<Snapshot> {
  return { metric: Counter, help, label: undefined, values: (snapshot) => ({ total: value(snapshot) }) };
}

export function gauge<Snapshot>(help: string, value: (snapshot: Snapshot) => number): MetricDeclaration<Snapshot> {
  return { metric: Gauge, help, label: undefined, values: (snapshot) => ({ value: value(snapshot) }) };
}

/** A counter with one label, one series per key of what `values` returns. */
export function labelledCounter<Snapshot>(
  help: string,
  label: string,
  values: LabelledValues<Snapshot>,
): MetricDeclaration<Snapshot> {
  return { metric: Counter, help, label, values };
}

/** A gauge with one label, one series per key of what `values` returns (keys gone since the last scrape are dropped). */
export function labelledGauge<Snapshot>(
  help: string,
  label: string,
  values: LabelledValues<Snapshot>,
): MetricDeclaration<Snapshot> {
  return { metric: Gauge, help, label, values };
}

/**
 * The series of a labelled metric, one per item of a list in the snapshot, labelled with the
 * item's key: `seriesPer(list, key)` gives the function that reads a value of each item.
 */
export function seriesPer<Snapshot, Item>(
  items: (snapshot: Snapshot) => readonly Item[],
  key: (item: Item) => string,
): (value: (item: Item, snapshot: Snapshot) => number) => LabelledValues<Snapshot> {
  return (value) => (snapshot) => Object.fromEntries(items(snapshot).map((item) => [key(item), value(item, snapshot)]));
}

/** Seconds since `sinceMs`: 0, not a negative age, while a wall clock stepped back is behind it. */
export function ageSeconds(sinceMs: number): number {
  return Math.max(0, Date.now() - sinceMs) / 1_000;
}

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

  // One metric at a time, as the functions of the same name declare it.
  counter(name: string, help: string, value: (snapshot: Snapshot) => number): this {
    return this.define(name, counter(help, value));
  }

  labelledCounter(name: string, help: string, label: string, values: LabelledValues<Snapshot>): this {
    return this.define(name, labelledCounter(help, label, values));
  }

  gauge(name: string, help: string, value: (snapshot: Snapshot) => number): this {
    return this.define(name, gauge(help, value));
  }

  /** Every metric of the table, each named `prefix` and its key. */
  table(prefix: string, table: MetricTable<Snapshot>): this {
    for (const [name, declaration] of Object.entries(table)) this.define(prefix + name, declaration);
    return this;
  }

  /** A metric whose series are set anew from the snapshot at each scrape. */
  private define(name: string, { metric: Metric, help, label, values }: MetricDeclaration<Snapshot>): this {
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

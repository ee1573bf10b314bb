// Counters and histograms for the per-request hot path, registered in the same prom-client Registry.
//
// prom-client builds a label hash string and validates the label object on every `inc`/`observe` (~1 µs
// each; a request with three extension steps makes a dozen of them). Here the caller gets the series for a
// label combination once per lookup through nested Maps of label values (no strings built, nothing
// allocated once a series exists), and the exposition is produced only at scrape time, in prom-client's own
// format via the `get()` contract its Registry calls.

import type { Metric } from 'prom-client';
import type { MetricValue } from '../extensions/lazy-metric.js';

type LabelValues = Record<string, string>;

/** The part of prom-client's metric contract its Registry uses. */
interface CollectedMetric {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  values: MetricValue[];
  aggregator: 'sum';
}

abstract class SeriesFamily<S> {
  readonly aggregator = 'sum' as const;
  private root = new Map<string, unknown>();
  private readonly all: S[] = [];

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
  ) {}

  /** The series for these label values (in `labelNames` order); created on first use. */
  series(v0 = '', v1 = '', v2 = '', v3 = ''): S {
    const n = this.labelNames.length;
    let map = this.root;
    for (let i = 0; i < n - 1; i++) {
      let next = map.get(pick(i, v0, v1, v2, v3)) as Map<string, unknown> | undefined;
      if (!next) map.set(pick(i, v0, v1, v2, v3), (next = new Map<string, unknown>()));
      map = next;
    }
    const last = n === 0 ? '' : pick(n - 1, v0, v1, v2, v3);
    let s = map.get(last) as S | undefined;
    if (!s) {
      const labels: LabelValues = {};
      this.labelNames.forEach((name, i) => (labels[name] = pick(i, v0, v1, v2, v3)));
      s = this.create(labels);
      map.set(last, s);
      this.all.push(s);
    }
    return s;
  }

  reset(): void {
    this.root = new Map();
    this.all.length = 0;
  }

  protected abstract create(labels: LabelValues): S;
  protected abstract collect(series: readonly S[]): MetricValue[];

  get(): Promise<CollectedMetric> {
    return Promise.resolve({
      name: this.name,
      help: this.help,
      type: this.type,
      values: this.collect(this.all),
      aggregator: this.aggregator,
    });
  }

  abstract readonly type: 'counter' | 'histogram';

  /** For `Registry.registerMetric`, whose type wants prom-client's classes. */
  asMetric(): Metric {
    return this as unknown as Metric;
  }
}

function pick(i: number, v0: string, v1: string, v2: string, v3: string): string {
  return i === 0 ? v0 : i === 1 ? v1 : i === 2 ? v2 : v3;
}

export interface CounterSeries {
  readonly labels: LabelValues;
  value: number;
}

export class FastCounter extends SeriesFamily<CounterSeries> {
  readonly type = 'counter' as const;
  protected create(labels: LabelValues): CounterSeries {
    return { labels, value: 0 };
  }
  protected collect(series: readonly CounterSeries[]): MetricValue[] {
    return series.map((s) => ({ labels: s.labels, value: s.value }));
  }
}

export class HistogramSeries {
  /** Per-bucket (not cumulative) counts; the last slot is +Inf. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  constructor(
    readonly labels: LabelValues,
    private readonly bounds: readonly number[],
  ) {
    this.counts = new Float64Array(bounds.length + 1);
  }
  observe(value: number): void {
    let i = 0;
    while (i < this.bounds.length && value > (this.bounds[i] ?? Infinity)) i++;
    this.counts[i] = (this.counts[i] ?? 0) + 1;
    this.sum += value;
    this.count++;
  }
}

export class FastHistogram extends SeriesFamily<HistogramSeries> {
  readonly type = 'histogram' as const;
  constructor(
    name: string,
    help: string,
    labelNames: readonly string[],
    private readonly bounds: readonly number[],
  ) {
    super(name, help, labelNames);
  }
  protected create(labels: LabelValues): HistogramSeries {
    return new HistogramSeries(labels, this.bounds);
  }
  protected collect(series: readonly HistogramSeries[]): MetricValue[] {
    const out: MetricValue[] = [];
    for (const s of series) {
      let cumulative = 0;
      for (let i = 0; i <= this.bounds.length; i++) {
        cumulative += s.counts[i] ?? 0;
        const le = this.bounds[i] ?? '+Inf';
        out.push({ labels: { ...s.labels, le }, value: cumulative, metricName: `${this.name}_bucket` });
      }
      out.push({ labels: s.labels, value: s.sum, metricName: `${this.name}_sum` });
      out.push({ labels: s.labels, value: s.count, metricName: `${this.name}_count` });
    }
    return out;
  }
}

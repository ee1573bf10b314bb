// A prom-client metric whose values are read from a component's own plain counters at scrape time, for the
// extension runtimes' figures (per plugin version, per callout authority): nothing happens when they change,
// so a hot path only adds to a number. Summed across worker processes by prom-client's AggregatorRegistry
// (`aggregator: 'sum'`), as `extgate up`'s primary merges its workers' registries.
import type { Metric } from 'prom-client';

/** One series as prom-client's Registry renders it (`metricName` for a histogram's _bucket/_sum/_count). */
export interface MetricValue {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

export function lazyMetric(
  name: string,
  help: string,
  type: 'counter' | 'gauge' | 'histogram',
  values: () => MetricValue[],
): Metric {
  const metric = {
    name,
    help,
    type,
    aggregator: 'sum',
    get: async () => ({ name, help, type, aggregator: 'sum', values: values() }),
    reset: () => {},
  };
  return metric as unknown as Metric;
}

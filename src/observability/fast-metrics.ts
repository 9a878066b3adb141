// Counters and a histogram for the hot paths (decision 0012): a labelled child is a plain object
// found once and kept, and counting is an add on a number. prom-client's own children validate and
// hash their labels on every call (~1-6 µs each here, measured); these registries read the numbers
// only when scraped, through the same get() shape prom-client's metrics return, so the text format,
// getMetricsAsJSON and the cluster aggregation all work unchanged.
import type { Metric, Registry } from 'prom-client';

type Labels = Record<string, string | number>;

interface Value {
  labels: Labels;
  value: number;
  metricName?: string;
}

interface MetricJson {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  aggregator: 'sum';
  values: Value[];
}

function labelsOf(names: readonly string[], values: readonly string[]): Labels {
  const labels: Labels = {};
  names.forEach((name, i) => (labels[name] = values[i] ?? ''));
  return labels;
}

abstract class FastMetric<Child> {
  readonly aggregator = 'sum';
  /** Every child, for get(). */
  protected readonly children: Child[] = [];
  /** Children by their label values, one Map level per label: no key string is built per call. */
  readonly #tree = new Map<string, unknown>();
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];

  constructor(name: string, help: string, labelNames: readonly string[], registry: Registry) {
    this.name = name;
    this.help = help;
    this.labelNames = labelNames;
    // A plain object prom-client's registry reads through get(); not one of its classes.
    registry.registerMetric(this as unknown as Metric);
  }

  /** The child for these label values (in labelNames' order), made on first use and kept. */
  child(values: readonly string[]): Child {
    let node = this.#tree;
    const last = values.length - 1;
    for (let i = 0; i < last; i++) {
      let next = node.get(values[i]!) as Map<string, unknown> | undefined;
      if (next === undefined) {
        next = new Map();
        node.set(values[i]!, next);
      }
      node = next;
    }
    let child = node.get(values[last]!) as Child | undefined;
    if (child === undefined) {
      child = this.make(labelsOf(this.labelNames, values));
      node.set(values[last]!, child);
      this.children.push(child);
    }
    return child;
  }

  protected abstract make(labels: Labels): Child;
}

export interface CounterChild {
  labels: Labels;
  value: number;
}

export class FastCounter extends FastMetric<CounterChild> {
  readonly type = 'counter';

  protected make(labels: Labels): CounterChild {
    return { labels, value: 0 };
  }

  get(): Promise<MetricJson> {
    const values = this.children.map(({ labels, value }) => ({ labels, value }));
    return Promise.resolve({ name: this.name, help: this.help, type: 'counter', aggregator: 'sum', values });
  }
}

export interface HistogramChild {
  labels: Labels;
  /** Observations per bucket, not cumulative; the last one is +Inf. */
  counts: number[];
  sum: number;
  count: number;
}

export class FastHistogram extends FastMetric<HistogramChild> {
  readonly type = 'histogram';
  readonly #bounds: readonly number[];

  constructor(name: string, help: string, labelNames: readonly string[], bounds: readonly number[], registry: Registry) {
    super(name, help, labelNames, registry);
    this.#bounds = bounds;
  }

  protected make(labels: Labels): HistogramChild {
    return { labels, counts: new Array<number>(this.#bounds.length + 1).fill(0), sum: 0, count: 0 };
  }

  observe(child: HistogramChild, value: number): void {
    const bounds = this.#bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i++;
    child.counts[i]!++;
    child.sum += value;
    child.count++;
  }

  get(): Promise<MetricJson> {
    const values: Value[] = [];
    const bucket = `${this.name}_bucket`;
    for (const { labels, counts, sum, count } of this.children) {
      let cumulative = 0;
      this.#bounds.forEach((le, i) => {
        cumulative += counts[i]!;
        values.push({ labels: { ...labels, le }, value: cumulative, metricName: bucket });
      });
      values.push({ labels: { ...labels, le: '+Inf' }, value: count, metricName: bucket });
      values.push({ labels, value: sum, metricName: `${this.name}_sum` });
      values.push({ labels, value: count, metricName: `${this.name}_count` });
    }
    return Promise.resolve({ name: this.name, help: this.help, type: 'histogram', aggregator: 'sum', values });
  }
}

import { Metrics } from '@aws-lambda-powertools/metrics';
import {
  METRICS,
  METRICS_NAMESPACE,
  type MetricName,
  type ReasonMetric,
  SERVICE_NAME,
} from './metricNames.ts';

/** Where the domain records what happened; counted per invocation, published once at its end. */
export interface MetricsRecorder {
  /**
   * Adds `value` to `name` (see {@link METRICS}); a metric split by `reason` takes the code as its third
   * argument. Counts and amounts are summed; a duration (`LockWait`) keeps every value, so CloudWatch can
   * give its percentiles.
   */
  add<N extends MetricName>(name: N, value: number, ...reason: N extends ReasonMetric ? [string] : []): void;
}

/** A recorder for one invocation. */
export interface InvocationMetrics extends MetricsRecorder {
  /**
   * Writes what was recorded to stdout as CloudWatch embedded metric format (one document for the metrics
   * without a reason, one per metric and reason), then forgets it. Writes nothing when nothing was recorded.
   */
  publish(): void;
}

/** A recorder that drops everything (callers that do not report metrics: the CLI, tests). */
export const NO_METRICS: MetricsRecorder = { add: () => undefined };

/**
 * Metrics for one invocation, published with Powertools for AWS Lambda (`@aws-lambda-powertools/metrics`):
 * EMF on stdout, which CloudWatch Logs turns into metrics with no API call and no permission. Dimensions:
 * `service` ({@link SERVICE_NAME}), `stage` (`STAGE`) and, for some metrics, `reason`. The namespace is
 * {@link METRICS_NAMESPACE}. `POWERTOOLS_METRICS_DISABLED=true` (the local stage's default) writes nothing.
 */
export function createMetrics(stage = process.env.STAGE ?? 'unknown'): InvocationMetrics {
  const plain = new Map<MetricName, number[]>();
  const byReason = new Map<string, { name: MetricName; reason: string; value: number }>();
  const keep = (values: number[] | undefined, name: MetricName, value: number): number[] =>
    METRICS[name].unit === 'Milliseconds' ? [...(values ?? []), value] : [(values?.[0] ?? 0) + value];
  return {
    add(name, value, ...reason) {
      const [code] = reason as string[];
      if (code === undefined) {
        plain.set(name, keep(plain.get(name), name, value));
        return;
      }
      const key = `${name}\u0000${code}`;
      const entry = byReason.get(key) ?? { name, reason: code, value: 0 };
      entry.value += value;
      byReason.set(key, entry);
    },
    publish() {
      if (plain.size === 0 && byReason.size === 0) return;
      const emitter = new Metrics({
        namespace: METRICS_NAMESPACE,
        serviceName: SERVICE_NAME,
        defaultDimensions: { stage },
      });
      for (const [name, values] of plain) {
        for (const value of values) emitter.addMetric(name, METRICS[name].unit, value);
      }
      for (const { name, reason, value } of byReason.values()) {
        // A single-metric document carries its own dimensions and is written when the metric is added.
        emitter.singleMetric().addDimension('reason', reason).addMetric(name, METRICS[name].unit, value);
      }
      if (plain.size > 0) emitter.publishStoredMetrics();
      plain.clear();
      byReason.clear();
    },
  };
}

import { expect, vi } from 'vitest';
import { METRICS_NAMESPACE } from '../../lib/runtime/metricNames.ts';

/** A CloudWatch embedded metric format document as Powertools writes it. */
export interface EmfDocument {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: Array<{
      Namespace: string;
      Dimensions: string[][];
      Metrics: Array<{ Name: string; Unit: string }>;
    }>;
  };
  [key: string]: unknown;
}

/** One metric as a document states it: its unit, its dimensions with their values, its value. */
export interface EmittedMetric {
  unit: string;
  dimensions: Record<string, unknown>;
  value: unknown;
}

/** What one captured invocation wrote and returned. */
export interface CapturedInvocation<T> {
  result?: T;
  error?: unknown;
  /** Every EMF document (stdout only: the test fails if one reaches stderr). */
  documents: EmfDocument[];
  /** Metric name → each time a document stated it. */
  metrics: Map<string, EmittedMetric[]>;
  /** The JSON log lines (stdout and stderr: Powertools writes warnings and errors to stderr). */
  logs: Array<Record<string, unknown>>;
}

/**
 * Runs `invoke` (a handler call) with stdout and stderr captured, as Lambda sends both to CloudWatch Logs,
 * and parses what it wrote: the EMF documents, each in the {@link METRICS_NAMESPACE} with one dimension
 * set, and the log lines. Every line must be JSON.
 */
export async function captureInvocation<T>(invoke: () => Promise<T>): Promise<CapturedInvocation<T>> {
  const written: string[] = [];
  const warned: string[] = [];
  const capture = (into: string[]) => (chunk: string | Uint8Array) => {
    into.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  };
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(capture(written));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(capture(warned));
  let outcome: { result?: T; error?: unknown };
  try {
    outcome = { result: await invoke() };
  } catch (error) {
    outcome = { error };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  expect(warned.join('')).not.toContain('"_aws"');
  const lines = [...written, ...warned]
    .join('')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const documents = lines.filter((l): l is EmfDocument => '_aws' in l);
  const metrics = new Map<string, EmittedMetric[]>();
  for (const doc of documents) {
    for (const directive of doc._aws.CloudWatchMetrics) {
      expect(directive.Namespace).toBe(METRICS_NAMESPACE);
      expect(directive.Dimensions).toHaveLength(1);
      const dimensions = Object.fromEntries((directive.Dimensions[0] ?? []).map((d) => [d, doc[d]]));
      for (const m of directive.Metrics) {
        const emitted = { unit: m.Unit, dimensions, value: doc[m.Name] };
        metrics.set(m.Name, [...(metrics.get(m.Name) ?? []), emitted]);
      }
    }
  }
  return { ...outcome, documents, metrics, logs: lines.filter((l) => !('_aws' in l)) };
}

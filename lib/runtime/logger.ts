import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { SERVICE_NAME } from './metricNames.ts';

/** Fields of a log line; errors are flattened to name, message and code (no stack in production logs). */
export type LogFields = Record<string, unknown>;

/** A structured logger: one JSON line per event, with fixed context fields (packet, claim, …). */
export interface Logger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

/** `LOG_LEVEL` as Powertools spells it (`info` → `INFO`); `silent` writes nothing. */
const levelOf = (level: string) => level.toUpperCase() as 'INFO';

/**
 * A logger on its own Powertools for AWS Lambda Logger (`@aws-lambda-powertools/logger`): JSON lines with
 * `level`, `message`, `timestamp`, `service` and the given fields. For code outside a Lambda invocation
 * (tests, tools); the handlers use {@link invocationLogger}. @defaultValue level `LOG_LEVEL`, else `info`
 */
export function createLogger(fields: LogFields = {}, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return bind(new PowertoolsLogger({ serviceName: SERVICE_NAME, logLevel: levelOf(level) }), fields);
}

/** The container's Powertools logger: one per process, so that `cold_start` is true only once. */
let container: PowertoolsLogger | undefined;

/**
 * The logger of one invocation: Powertools' Lambda fields (`function_name`, `function_request_id`,
 * `cold_start`, `function_arn`, `function_memory_size`, `xray_trace_id`), `correlation_id` (the API Gateway
 * request id of an HTTP call, which the access log carries too), and debug sampling decided again per
 * invocation (`POWERTOOLS_LOGGER_SAMPLE_RATE`). Lambda runs one invocation of a container at a time; under
 * serverless-offline, which runs concurrent invocations in one process, a line may carry a neighbour's
 * request id.
 */
export function invocationLogger(context: Context, correlationId?: string): Logger {
  container ??= new PowertoolsLogger({
    serviceName: SERVICE_NAME,
    logLevel: levelOf(process.env.LOG_LEVEL ?? 'info'),
  });
  container.resetKeys();
  container.addContext(context);
  if (correlationId) container.setCorrelationId(correlationId);
  container.refreshSampleRateCalculation();
  return bind(container, {});
}

function bind(logger: PowertoolsLogger, context: LogFields): Logger {
  const write = (level: 'info' | 'warn' | 'error', message: string, fields: LogFields = {}) => {
    const line: LogFields = { ...context };
    for (const [key, value] of Object.entries(fields))
      line[key] = value instanceof Error ? flatten(value) : value;
    logger[level](message, line);
  };
  return {
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    child: (fields) => bind(logger, { ...context, ...fields }),
  };
}

function flatten(error: Error): LogFields {
  const { code, retryable } = error as Error & { code?: unknown; retryable?: unknown };
  return { name: error.name, message: error.message, code, retryable };
}

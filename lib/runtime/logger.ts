/** Fields of a log line; errors are flattened to name, message and code (no stack in production logs). */
export type LogFields = Record<string, unknown>;

/** A structured JSON logger: one line per event, with fixed context fields (function, request id, …). */
export interface Logger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

/** A logger writing JSON lines to stdout (CloudWatch parses them). `LOG_LEVEL=silent` turns it off. */
export function createLogger(context: LogFields = {}, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  const write = (lvl: string, message: string, fields: LogFields = {}) => {
    if (level === 'silent' || (level === 'error' && lvl !== 'error') || (level === 'warn' && lvl === 'info'))
      return;
    const line: LogFields = { level: lvl, time: new Date().toISOString(), message, ...context };
    for (const [key, value] of Object.entries(fields))
      line[key] = value instanceof Error ? flatten(value) : value;
    process.stdout.write(`${JSON.stringify(line)}\n`);
  };
  return {
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    child: (fields) => createLogger({ ...context, ...fields }, level),
  };
}

function flatten(error: Error): LogFields {
  const { code, retryable } = error as Error & { code?: unknown; retryable?: unknown };
  return { name: error.name, message: error.message, code, retryable };
}

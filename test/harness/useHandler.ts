import { afterAll, beforeAll } from 'vitest';

/**
 * A function's Lambda handler loaded into this test process as Lambda would load it: `env()` (read once
 * the other fixtures have started, e.g. for the Redis URL) is set before the module loads, with metrics on
 * (`POWERTOOLS_METRICS_DISABLED` and `POWERTOOLS_DEV` unset); after the file, the container's Redis client
 * is closed and the environment restored. `load` imports the function's module; returns its handler
 * (callable once the file's tests run).
 */
export function useHandler<H extends (...args: never[]) => unknown>(
  load: () => Promise<{ handler: H }>,
  env: () => Record<string, string>,
): H {
  const saved = { ...process.env };
  let handler: H | undefined;
  beforeAll(async () => {
    Object.assign(process.env, env());
    delete process.env.POWERTOOLS_METRICS_DISABLED;
    delete process.env.POWERTOOLS_DEV;
    ({ handler } = await load());
  });
  afterAll(async () => {
    (await (await import('../../lib/runtime/services.ts')).getServices()).redis.disconnect();
    process.env = saved;
  });
  return ((...args: Parameters<H>) => {
    if (!handler) throw new Error('useHandler(): the handler is not loaded yet (call it inside a test)');
    return handler(...args);
  }) as H;
}

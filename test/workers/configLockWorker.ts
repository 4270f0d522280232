/**
 * A consumer-like process whose packet lock is built the way the functions build it: from the
 * environment through `loadConfig` and `lockBackendOptions`, so a test runs the deployed defaults (every
 * LOCK_* unset). Env: REDIS_URL. Commands:
 * - `hold {resource}`: acquire and keep the lease (the test then SIGKILLs this process);
 * - `wait {resource, waiters, waitMs?}`: `waiters` concurrent acquisitions, each waiting `waitMs`
 *   (default: `LOCK_WAIT_MS`, as the consumer does), holding briefly, then releasing; reports `waited`
 *   with each one's outcome.
 */
import { Redis } from 'ioredis';
import { createLockBackend, type Lease } from '../../lib/lock/index.ts';
import { loadConfig, lockBackendOptions } from '../../lib/runtime/config.ts';
import { type CommandHandlers, serveCommands } from '../harness/workerRuntime.ts';

const config = loadConfig({
  STAGE: 'test',
  REDIS_URL: process.env.REDIS_URL,
  CLAIMS_QUEUE_URL: 'http://127.0.0.1:1/000000000000/unused',
});
const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1 });
const { lock } = await createLockBackend(redis, lockBackendOptions(config));
const held: Lease[] = [];

/** One waiter's outcome: when it got the lock (epoch ms) and with which fence, or the error it gave up with. */
type Outcome = { acquiredAt: number; fence: number } | { error: string; after: number };

const handlers: CommandHandlers = {
  async hold(m) {
    const sentAt = Date.now();
    held.push(await lock.acquire(String(m.resource)));
    return { type: 'holding', sentAt };
  },
  async wait(m) {
    const waitMs = m.waitMs === undefined ? config.LOCK_WAIT_MS : Number(m.waitMs);
    const outcomes = await Promise.all(
      Array.from({ length: Number(m.waiters) }, async (): Promise<Outcome> => {
        const started = Date.now();
        try {
          const lease = await lock.acquire(String(m.resource), { waitMs });
          const outcome = { acquiredAt: Date.now(), fence: lease.fence };
          await new Promise((resolve) => setTimeout(resolve, 5));
          await lock.release(lease);
          return outcome;
        } catch (error) {
          return { error: error instanceof Error ? error.name : String(error), after: Date.now() - started };
        }
      }),
    );
    return { type: 'waited', outcomes, waitMs };
  },
};

serveCommands(handlers);

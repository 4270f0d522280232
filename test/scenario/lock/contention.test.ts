import { describe, expect, it } from 'vitest';
import type { LockStrategy } from '../../../lib/lock/index.ts';
import { useRedis } from '../../harness/redisFixture.ts';
import { spawnWorker, type WorkerMessage } from '../../harness/spawnWorker.ts';

const redis = useRedis();
const PROCESSES = 4;
const LOOPS = 25;
const INCREMENTS = 50; // per loop: 4 × 25 × 50 = 5,000 in all
const TOTAL = PROCESSES * LOOPS * INCREMENTS;

interface Done extends WorkerMessage {
  applied: number;
  refused: number;
  takeovers: number;
}

/** Runs PROCESSES counter workers side by side and returns the counter and what the workers counted. */
async function race(env: Record<string, string>, loops = LOOPS) {
  const workers = Array.from({ length: PROCESSES }, () =>
    spawnWorker('counterWorker', {
      REDIS_URL: redis.url,
      LOOPS: String(loops),
      INCREMENTS: String(INCREMENTS),
      ...env,
    }),
  );
  await Promise.all(workers.map((w) => w.next('ready')));
  for (const w of workers) w.send({ type: 'go' });
  const reports = await Promise.all(workers.map((w) => w.next<Done>('done', 120_000)));
  const sum = (field: 'applied' | 'refused' | 'takeovers') => reports.reduce((n, r) => n + r[field], 0);
  const counter = Number(await redis.client().get('rp:{counter}:value'));
  return { counter, applied: sum('applied'), refused: sum('refused'), takeovers: sum('takeovers') };
}

// With a 2 ms TTL most leases end before their write (event-loop lag alone exceeds 2 ms here), so the
// short-TTL runs use 5 loops per process (1,000 increments) to keep the retries affordable.
const SHORT_LOOPS = 5;
const SHORT_TOTAL = PROCESSES * SHORT_LOOPS * INCREMENTS;
const SHORT_TTL = { ttlMs: 2, driftMs: 1, minDelayMs: 1, maxDelayMs: 4 };

describe.each<LockStrategy>(['getset', 'set-nx-px'])('contention (%s)', (strategy) => {
  it(`${PROCESSES} processes × ${LOOPS} loops of GET/compute/SET under the lock: exactly ${TOTAL}`, async () => {
    const result = await race({ MODE: 'locked', LOCK_OPTIONS: JSON.stringify({ strategy }) });
    expect(result.applied).toBe(TOTAL);
    expect(result.counter).toBe(TOTAL);
  });

  it('a TTL (2 ms) shorter than the critical section: fenced writes lose and double-apply nothing', async () => {
    // Every 10th critical section stalls 6 ms, past ttl + drift: others take over, the stalled write is
    // refused and redone under a new lease.
    const options = { strategy, ...SHORT_TTL };
    const env = { MODE: 'fenced', SLOW_EVERY: '10', SLOW_MS: '6', LOCK_OPTIONS: JSON.stringify(options) };
    const result = await race(env, SHORT_LOOPS);
    expect(result.applied).toBe(SHORT_TOTAL);
    expect(result.counter).toBe(SHORT_TOTAL);
    expect(result.refused).toBeGreaterThan(0);
    if (strategy === 'getset') expect(result.takeovers).toBeGreaterThan(0);
  });

  it('control: the same short TTL with plain (unfenced) writes loses updates', async () => {
    const options = { strategy, ...SHORT_TTL };
    const env = { MODE: 'unfenced', SLOW_EVERY: '10', SLOW_MS: '6', LOCK_OPTIONS: JSON.stringify(options) };
    const result = await race(env, SHORT_LOOPS);
    expect(result.applied).toBe(SHORT_TOTAL);
    expect(result.counter).toBeLessThan(SHORT_TOTAL);
  });
});

describe('wake-ups lost', () => {
  // Each kill may lose the wake-ups in flight: waiters then try on their own (at once when their
  // subscriber drops, else within wakeFallbackMs). 2 loops per process (400 increments) keep it short.
  it('every subscriber connection killed every 20 ms: still exactly the total, by the waiters own tries', async () => {
    // Prepare: a loop that disconnects every pub/sub client (the wake-up channels) while the race runs.
    const admin = redis.client();
    let killed = 0;
    let racing = true;
    const killer = (async () => {
      while (racing) {
        killed += Number(await admin.call('CLIENT', 'KILL', 'TYPE', 'pubsub'));
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();

    // Act
    const started = Date.now();
    const result = await race({ MODE: 'locked', LOCK_OPTIONS: JSON.stringify({ handoff: 'notify' }) }, 2);
    racing = false;
    await killer;

    // Assess
    expect(killed).toBeGreaterThan(0);
    expect(result.applied).toBe(PROCESSES * 2 * INCREMENTS);
    expect(result.counter).toBe(PROCESSES * 2 * INCREMENTS);
    console.info(`wake-ups lost: ${killed} subscriber connections killed, ${Date.now() - started} ms`);
  });
});

it('control: the same read-modify-write without the lock loses updates', async () => {
  const result = await race({ MODE: 'unlocked' });
  expect(result.applied).toBe(TOTAL);
  expect(result.counter).toBeLessThan(TOTAL);
});

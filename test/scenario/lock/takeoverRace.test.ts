import { describe, expect, it } from 'vitest';
import type { LockStrategy } from '../../../lib/lock/index.ts';
import { useRedis } from '../../harness/redisFixture.ts';
import { spawnWorker, type Worker, type WorkerMessage } from '../../harness/spawnWorker.ts';

const redis = useRedis();
const CONTENDERS = 8;
const ROUNDS = 40;

interface Raced extends WorkerMessage {
  won: boolean;
  takeover?: boolean;
}

interface Round {
  winners: number;
  takeover: boolean;
  extended: boolean;
  released: boolean;
}

async function startContenders(options: object): Promise<Worker[]> {
  const workers = Array.from({ length: CONTENDERS }, () =>
    spawnWorker('lockWorker', { REDIS_URL: redis.url, LOCK_OPTIONS: JSON.stringify(options) }),
  );
  await Promise.all(workers.map((w) => w.next('ready')));
  return workers;
}

/**
 * Plants an expired lock value, has every contender try to take it over at the same instant, then (once all
 * have tried) lets the winner extend and release.
 */
async function raceRound(
  workers: Worker[],
  round: number,
  naive: boolean,
  keyTtlMs = 600_000,
): Promise<Round> {
  const resource = `race-${round}`;
  const stale = `${Date.now() - 60_000}:0:DeadHolderTokenAAAAAAA`;
  await redis.client().set(`rp:{${resource}}:lock`, stale, 'PX', keyTtlMs);
  const at = Date.now() + 60;
  for (const w of workers) w.send({ type: 'race', resource, at, naive });
  const results = await Promise.all(workers.map((w) => w.next<Raced>('raced')));
  const winners = workers.filter((_, i) => results[i]?.won);
  const winner = winners[0];
  if (!winner) return { winners: 0, takeover: false, extended: false, released: false };
  let extended = false;
  if (!naive) {
    winner.send({ type: 'extend' });
    extended = (await winner.next('extended')).ok === true;
  }
  winner.send({ type: naive ? 'naiveRelease' : 'release' });
  const released = (await winner.next('released')).ok === true;
  return { winners: winners.length, takeover: results.some((r) => r.takeover), extended, released };
}

describe.each<LockStrategy>(['getset', 'set-nx-px'])(
  `takeover race (%s), ${CONTENDERS} contender processes`,
  (strategy) => {
    it(`exactly one of ${CONTENDERS} processes wins each takeover, and the winner can extend and release`, async () => {
      // Prepare: getset judges the stale value by its timestamp; for set-nx-px the stale key expires in
      // Redis just before the contenders fire.
      const workers = await startContenders({ strategy, ttlMs: 5000, driftMs: 0 });
      const keyTtlMs = strategy === 'getset' ? 600_000 : 40;

      // Act
      const rounds: Round[] = [];
      for (let round = 0; round < ROUNDS; round++)
        rounds.push(await raceRound(workers, round, false, keyTtlMs));

      // Assess
      for (const round of rounds) {
        expect(round).toEqual({
          winners: 1,
          takeover: strategy === 'getset',
          extended: true,
          released: true,
        });
      }
    });
  },
);

it('control: the same race breaks a client-side SETNX/GET/GETSET that restores what it displaced', async () => {
  const workers = await startContenders({ strategy: 'getset', ttlMs: 5000, driftMs: 0 });

  const rounds: Round[] = [];
  for (let round = 0; round < ROUNDS; round++) rounds.push(await raceRound(workers, round, true));

  // A round is broken when it has no single winner, or the winner's own release no longer finds its value.
  const broken = rounds.filter((round) => round.winners !== 1 || !round.released);
  expect(broken.length).toBeGreaterThan(0);
});

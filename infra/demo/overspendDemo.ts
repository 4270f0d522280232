/**
 * `npm run demo`: the seed article's point, made visible. Several processes draw random shares from one
 * budget with no lock, then with each lock strategy; a table shows what was paid against the budget.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { progress, table } from '../../bench/report.ts';
import { startRedisServer } from '../local/redisServer.ts';

const PROCESSES = 4;
const LOOPS = 25;
const BUDGET = 1_000_000; // 10,000.00 in cents
const SHARES = 1000;
const MODES = ['none', 'getset', 'set-nx-px'] as const;

const money = (cents: number) =>
  `${cents < 0 ? '-' : ''}${Math.floor(Math.abs(cents) / 100).toLocaleString('en-US')}.${String(Math.abs(cents) % 100).padStart(2, '0')}`;

const server = await startRedisServer().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
const redis = new Redis(server.url);
const workerFile = fileURLToPath(new URL('./drawWorker.ts', import.meta.url));
console.log(
  `Red packet: ${money(BUDGET)} in ${SHARES} shares; ${PROCESSES} processes × ${LOOPS} concurrent claimers each.\n`,
);

const rows: Array<Array<string | number>> = [];
let exact = true;
for (const mode of MODES) {
  const packet = `demo-${mode}`;
  const key = (name: string) => `demo:{${packet}}:${name}`;
  await redis.mset(key('remaining'), BUDGET, key('count'), SHARES, key('paid'), 0, key('payouts'), 0);
  const workers = Array.from({ length: PROCESSES }, () =>
    fork(workerFile, [], {
      env: { ...process.env, REDIS_URL: server.url, MODE: mode, LOOPS: String(LOOPS), PACKET: packet },
      execArgv: ['--disable-warning=ExperimentalWarning'],
    }),
  );
  await Promise.all(workers.map((w) => new Promise((resolve) => w.once('message', resolve))));
  const started = performance.now();
  const finished = Promise.all(workers.map((w) => new Promise((resolve) => w.once('message', resolve))));
  for (const w of workers) w.send({ type: 'go' });
  const label = mode === 'none' ? 'no lock' : `lock: ${mode}`;
  const ticker = setInterval(async () => {
    const payouts = Number(await redis.get(key('payouts')));
    progress(Math.min(payouts, SHARES), SHARES, label);
  }, 100);
  await finished;
  clearInterval(ticker);
  const ms = performance.now() - started;
  const paid = Number(await redis.get(key('paid')));
  const payouts = Number(await redis.get(key('payouts')));
  progress(SHARES, SHARES, label);
  for (const w of workers) w.kill();
  if (mode !== 'none' && (paid !== BUDGET || payouts !== SHARES)) exact = false;
  rows.push([label, payouts, money(paid), money(BUDGET), money(paid - BUDGET), `${Math.round(ms)} ms`]);
}

console.log(`\n${table(['mode', 'payouts', 'paid', 'budget', 'overspend', 'time'], rows)}\n`);
console.log(
  exact
    ? 'With either lock strategy the packet paid exactly its budget in exactly its share count.'
    : 'ERROR: a locked run did not pay exactly the budget.',
);
redis.disconnect();
await server.stop();
process.exitCode = exact ? 0 : 1;

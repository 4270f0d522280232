import { execFileSync, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

/** Every live process as [pid, parent pid]. */
const processTable = (): Array<[number, number]> =>
  execFileSync('ps', ['-eo', 'pid=,ppid='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number) as [number, number]);

/** Pids of `root`'s children, grandchildren, … (serverless offline runs in its own group, still a child). */
function descendants(root: number): number[] {
  const table = processTable();
  const found: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const parent = queue.shift() as number;
    for (const [pid, ppid] of table) {
      if (ppid !== parent || found.includes(pid)) continue;
      found.push(pid);
      queue.push(pid);
    }
  }
  return found;
}

const alive = (pids: number[]) => {
  const live = new Set(processTable().map(([pid]) => pid));
  return pids.filter((pid) => live.has(pid));
};

it('npm start brings the stack up, answers over HTTP, and SIGINT (Ctrl-C) leaves no process behind', async () => {
  // Prepare: the real entry point, on free ports, with its own private Redis.
  const entry = fileURLToPath(new URL('../../infra/local/start.ts', import.meta.url));
  const { REDIS_URL: _ignored, ...env } = process.env;
  const child = fork(entry, [], {
    env: { ...env, HTTP_PORT: '0', LAMBDA_PORT: '0', SQS_PORT: '0', OFFLINE_LOG: '/dev/null' },
    execArgv: ['--disable-warning=ExperimentalWarning'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const ready = await new Promise<{ httpUrl: string }>((resolve, reject) => {
    child.once('message', (m) => resolve(m as { httpUrl: string }));
    child.once('exit', (code) => reject(new Error(`npm start exited early (${code})`)));
  });

  // Act
  const credited = await fetch(`${ready.httpUrl}/admin/balances/alice/credits`, {
    method: 'POST',
    body: '{"amount":100,"reference":"start-1"}',
  });
  const created = await fetch(`${ready.httpUrl}/packets`, {
    method: 'POST',
    headers: { 'x-user-id': 'alice' },
    body: '{"totalAmount":100,"count":2}',
  });
  const started = descendants(child.pid ?? -1); // redis-server and serverless offline (and what it runs)
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGINT');
  const code = await exited;

  // Assess
  expect(credited.status).toBe(200);
  expect(created.status).toBe(201);
  expect(started.length).toBeGreaterThanOrEqual(2);
  expect(code).toBe(0);
  expect(alive(started)).toEqual([]);
  await expect(fetch(ready.httpUrl, { signal: AbortSignal.timeout(1000) })).rejects.toThrow();
}, 120_000);

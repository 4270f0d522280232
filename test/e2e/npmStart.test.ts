import { type ChildProcess, execFileSync, fork, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { createRedPackets, parseClaimId } from '../../lib/packets/index.ts';
import { createRedisClient } from '../../lib/runtime/redisClient.ts';
import { settled } from '../harness/settled.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ENTRY = join(ROOT, 'infra/local/start.ts');
/** The stack on free ports, with a private Redis (not the caller's REDIS_URL), its offline log discarded. */
const stackEnv = (): NodeJS.ProcessEnv => {
  const { REDIS_URL: _ignored, npm_lifecycle_event: _e, ...env } = process.env;
  return {
    ...env,
    // Node 24 first, as `npm start` runs in the project (npm itself may run on any Node).
    PATH: `${dirname(process.execPath)}:${env.PATH ?? ''}`,
    HTTP_PORT: '0',
    LAMBDA_PORT: '0',
    SQS_PORT: '0',
    OFFLINE_LOG: '/dev/null',
  };
};

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
  const child = fork(ENTRY, [], {
    env: stackEnv(),
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

/** Starts `command` (npm start, or the control's shell) and resolves its HTTP URL from the banner it prints. */
async function startPrinting(
  command: string,
  args: string[],
): Promise<{ child: ChildProcess; httpUrl: string }> {
  const child = spawn(command, args, { cwd: ROOT, env: stackEnv(), stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const httpUrl = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const url = /HTTP API\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
      if (url) resolve(url);
    });
    child.once('exit', (code) => reject(new Error(`exited early (${code}): ${out}`)));
  });
  child.stdout?.resume();
  return { child, httpUrl };
}

const gone = async (pids: number[], timeoutMs: number) => {
  const deadline = Date.now() + timeoutMs;
  while (alive(pids).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  return alive(pids);
};

it.each(['SIGTERM', 'SIGINT'] as const)(
  '%s sent to the `npm start` process itself stops everything it started',
  async (signal) => {
    // Prepare: npm's own process (npm runs the script's shell, which execs the stack).
    const { child, httpUrl } = await startPrinting('npm', ['start', '--silent']);
    const started = descendants(child.pid ?? -1);
    expect((await fetch(`${httpUrl}/packets/pk_x`, { headers: { 'x-user-id': 'a' } })).status).toBe(404);

    // Act
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;

    // Assess: redis-server, serverless offline and what it ran, all gone.
    expect(started.length).toBeGreaterThanOrEqual(3);
    expect(await gone(started, 10_000)).toEqual([]);
    await expect(fetch(httpUrl, { signal: AbortSignal.timeout(1000) })).rejects.toThrow();
  },
  120_000,
);

it('the control: the script without exec leaves the stack running when its shell is sent SIGTERM', async () => {
  const script =
    'node infra/node-guard.mjs && node --disable-warning=ExperimentalWarning infra/local/start.ts';
  const { child, httpUrl } = await startPrinting('sh', ['-c', script]);
  const started = descendants(child.pid ?? -1);

  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
  const left = await gone(started, 3000);

  try {
    expect(left.length).toBeGreaterThan(0); // orphaned: nobody forwarded the signal
    expect((await fetch(`${httpUrl}/packets/pk_x`, { headers: { 'x-user-id': 'a' } })).status).toBe(404);
  } finally {
    // Clean up as an operator would have had to: signal the orphaned stack itself.
    const stack = processTable().find(([pid]) => left.includes(pid) && isStackEntry(pid));
    if (stack) process.kill(stack[0], 'SIGTERM');
    expect(await gone(left, 15_000)).toEqual([]);
  }
}, 120_000);

const isStackEntry = (pid: number) =>
  execFileSync('ps', ['-o', 'args=', '-p', String(pid)], { encoding: 'utf8' }).includes(
    'infra/local/start.ts',
  );

it('serverless offline SIGKILLed under load is restarted on the same ports; every accepted claim ends paid or rejected', async () => {
  // Prepare: the stack (IPC tells the test the offline pid and when it is back), a funded packet.
  // Records the killed pollers held come back after 5 s instead of the deployed 180 s, and a claim whose
  // send died with serverless offline is re-sent by the sweeper after 2 s (every second) instead of after
  // 30 s (every minute): without that it could outlast the 60 s the test waits.
  const child = fork(ENTRY, [], {
    env: {
      ...stackEnv(),
      VISIBILITY_TIMEOUT_SECONDS: '5',
      RESEND_AFTER_MS: '2000',
      OFFLINE_SCHEDULE_SECONDS: '1',
    },
    execArgv: ['--disable-warning=ExperimentalWarning'],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const messages: Array<Record<string, unknown>> = [];
  child.on('message', (m) => messages.push(m as Record<string, unknown>));
  const waitMessage = async (type: string, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = messages.find((m) => m.type === type);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no ${type} message; stderr: ${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const ready = (await waitMessage('ready', 90_000)) as {
    httpUrl: string;
    redisUrl: string;
    offlinePid: number;
  };
  const redis = createRedisClient({ url: ready.redisUrl, mode: 'standalone' });
  try {
    const post = (path: string, body: unknown, user = 'alice') =>
      fetch(`${ready.httpUrl}${path}`, {
        method: 'POST',
        headers: { 'x-user-id': user },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(5000),
      });
    expect(
      (await post('/admin/balances/alice/credits', { amount: 100_000, reference: 'heal-1' })).status,
    ).toBe(200);
    const packet = (await (await post('/packets', { totalAmount: 100_000, count: 100 })).json()) as {
      packetId: string;
    };
    const users = Array.from({ length: 150 }, (_, i) => `heal-${i}`);
    const accepted = new Set<string>();
    const turnedAway = new Set<string>();
    const claim = async (user: string) => {
      const reply = await post(`/packets/${packet.packetId}/claims`, {}, user).catch(() => undefined);
      if (reply?.status === 202) accepted.add(((await reply.json()) as { claimId: string }).claimId);
      else if (reply?.status === 410) turnedAway.add(user);
    };
    const claimed = (user: string) =>
      turnedAway.has(user) || [...accepted].some((id) => parseClaimId(id)?.userId === user);

    // Act: claims in flight, then serverless offline (only its own process, as an OOM kill would) dies.
    const sending = (async () => {
      for (const user of users) await claim(user);
    })();
    while (accepted.size < 5) await new Promise((r) => setTimeout(r, 10));
    process.kill(ready.offlinePid, 'SIGKILL');
    await sending;
    const restarted = (await waitMessage('offline_restarted', 90_000)) as { pid: number };
    for (const user of users) if (!claimed(user)) await claim(user); // clients retry

    // Assess: back on the same URL, said so, every accepted claim decided, one 202 per share.
    expect(messages.some((m) => m.type === 'offline_died')).toBe(true);
    expect(stderr).toContain('serverless offline died (SIGKILL): restarting it');
    expect(restarted.pid).not.toBe(ready.offlinePid);
    expect(accepted.size).toBe(100);
    expect(accepted.size + turnedAway.size).toBe(users.length);
    const rp = createRedPackets(redis);
    await settled(rp, { [packet.packetId]: [...accepted] }, [], 60_000);
    const report = await rp.reconcile(packet.packetId);
    expect(report.discrepancies).toEqual([]);
    expect(report.paidCount).toBe(100);
  } finally {
    redis.disconnect();
    const started = descendants(child.pid ?? -1);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGINT');
    await exited;
    expect(await gone(started, 10_000)).toEqual([]); // the restarted offline is stopped too
  }
}, 240_000);

import { type ChildProcess, fork } from 'node:child_process';
import { Redis } from 'ioredis';

/** Forks `count` copies of a bench worker and waits until each has said it is ready. */
export async function forkWorkers(
  file: string,
  count: number,
  env: Record<string, string>,
): Promise<ChildProcess[]> {
  const workers = Array.from({ length: count }, () =>
    fork(file, [], { env: { ...process.env, ...env }, execArgv: ['--disable-warning=ExperimentalWarning'] }),
  );
  await Promise.all(workers.map((w) => new Promise((resolve) => w.once('message', resolve))));
  return workers;
}

/** Forks `count` copies of a bench worker, runs `body` with them, and kills them whatever happens. */
export async function withWorkers<T>(
  file: string,
  count: number,
  env: Record<string, string>,
  body: (workers: ChildProcess[]) => Promise<T>,
): Promise<T> {
  const workers = await forkWorkers(file, count, env);
  try {
    return await body(workers);
  } finally {
    for (const w of workers) w.kill();
  }
}

/** Sends `task` to a worker and resolves with its `report` message (rejects on its `error` message). */
export function runTask<T>(worker: ChildProcess, task: object): Promise<T> {
  worker.send(task);
  return new Promise<T>((resolve, reject) =>
    worker.once('message', (m: { type: string; message?: string }) =>
      m.type === 'report' ? resolve(m as T) : reject(new Error(m.message)),
    ),
  );
}

/** Sum of `calls` over every command in INFO commandstats, minus the INFO calls themselves. */
export async function commandCount(admin: Redis): Promise<number> {
  const info = await admin.info('commandstats');
  let total = 0;
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    if (match[1] !== 'info') total += Number(match[2]);
  }
  return total;
}

/** How many of `total` loops the `index`-th of `processes` workers runs. */
export const share = (total: number, processes: number, index: number) =>
  Math.floor(total / processes) + (index < total % processes ? 1 : 0);

/**
 * Worker side: run each `{type: 'run'}` task with `run` and send back its report, or `{type: 'error'}`;
 * then say `ready`.
 */
export function serveTasks<T extends { type: string }>(run: (task: T) => Promise<object>): void {
  process.on('message', (message) => {
    const task = message as T;
    if (task.type !== 'run') return;
    run(task).then(
      (report) => process.send?.(report),
      (error: unknown) => process.send?.({ type: 'error', message: String(error) }),
    );
  });
  process.send?.({ type: 'ready' });
}

let clientCommands: number | undefined;

/**
 * Counts, from now on, every command this process's ioredis clients send (pipelined ones too: they all go
 * through `sendCommand`), and returns a reader of the count: what a client pays per operation, where
 * INFO commandstats also counts the calls scripts make inside Redis.
 */
export function countClientCommands(): () => number {
  if (clientCommands === undefined) {
    clientCommands = 0;
    const sendCommand = Redis.prototype.sendCommand;
    Redis.prototype.sendCommand = function (this: Redis, ...args: Parameters<Redis['sendCommand']>) {
      clientCommands = (clientCommands ?? 0) + 1;
      return sendCommand.apply(this, args);
    };
  }
  return () => clientCommands ?? 0;
}

import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** A message between the test and a worker process: `type` plus any JSON fields. */
export interface WorkerMessage {
  type: string;
  [field: string]: unknown;
}

/** A child process running one of `test/workers/*.ts`, talking over IPC. */
export interface Worker {
  readonly pid: number;
  send(message: WorkerMessage): void;
  /** Next message of `type` (queued if it already arrived); rejects after `timeoutMs` or on exit. */
  next<T extends WorkerMessage = WorkerMessage>(type: string, timeoutMs?: number): Promise<T>;
  signal(signal: NodeJS.Signals): void;
  /** Resolves with the exit code (or signal name) once the process ended. */
  readonly exited: Promise<number | string>;
}

const live = new Set<ChildProcess>();

/**
 * Forks `test/workers/<name>.ts` on the same Node binary. Every worker is killed by {@link killAllWorkers}
 * (call it in afterEach) so nothing leaks between tests.
 */
export function spawnWorker(name: string, env: Record<string, string> = {}): Worker {
  const file = fileURLToPath(new URL(`../workers/${name}.ts`, import.meta.url));
  const child = fork(file, [], {
    execArgv: ['--disable-warning=ExperimentalWarning'],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  live.add(child);
  const inbox: WorkerMessage[] = [];
  type Waiter = { type: string; resolve: (m: WorkerMessage) => void; reject: (e: Error) => void };
  const waiters = new Set<Waiter>();
  let failure: Error | undefined;
  const failAll = (error: Error) => {
    failure ??= error;
    for (const w of waiters) w.reject(error);
    waiters.clear();
  };
  child.on('message', (raw) => {
    const message = raw as WorkerMessage;
    if (message.type === 'error')
      return failAll(new Error(`worker ${name} failed: ${String(message.message)}`));
    const waiter = [...waiters].find((w) => w.type === message.type);
    if (!waiter) return void inbox.push(message);
    waiters.delete(waiter);
    waiter.resolve(message);
  });
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(child);
      const how = signal ?? code ?? -1;
      failAll(new Error(`worker ${name} exited (${how})`));
      resolve(how);
    });
  });
  return {
    pid: child.pid ?? -1,
    exited,
    send: (message) => child.send(message),
    signal: (signal) => child.kill(signal),
    next<T extends WorkerMessage>(type: string, timeoutMs = 30_000): Promise<T> {
      const queued = inbox.findIndex((m) => m.type === type);
      if (queued >= 0) return Promise.resolve(inbox.splice(queued, 1)[0] as T);
      if (failure) return Promise.reject(failure);
      return new Promise<T>((resolve, reject) => {
        const waiter: Waiter = {
          type,
          resolve: (m) => {
            clearTimeout(timer);
            resolve(m as T);
          },
          reject: (e) => {
            clearTimeout(timer);
            reject(e);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`worker ${name}: no "${type}" within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
  };
}

/** Kills every worker still running (SIGCONT first, in case a test left one stopped). */
export async function killAllWorkers(): Promise<void> {
  const exits = [...live].map(
    (child) =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGCONT');
        child.kill('SIGKILL');
      }),
  );
  await Promise.all(exits);
}

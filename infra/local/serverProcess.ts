import type { ChildProcess } from 'node:child_process';
import { freePort } from './freePort.ts';

/** Every server process started here, killed if the parent exits without stopping them. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** Kills `child` with the parent process unless it exits first. Call it right after spawning. */
export function trackServerProcess(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
}

/** Options of {@link startServerProcess}. */
export interface ServerProcessOptions {
  /** Port on 127.0.0.1. @defaultValue a free port chosen by the OS (another one if it is taken meanwhile) */
  port?: number | undefined;
  /**
   * Starts the server on `port` (calling {@link trackServerProcess} on it) and resolves once it is ready;
   * rejects, having killed it, if it is not.
   */
  spawn(port: number): Promise<ChildProcess>;
}

/**
 * A local server process on a loopback port, the part the Redis and ZooKeeper fixtures share: the launch
 * (retried on another free port when someone took the chosen one between `freePort()` and bind, unless
 * the caller fixed the port), termination that waits for the exit, and restarts on the same port.
 */
export interface ServerProcess {
  readonly port: number;
  readonly child: ChildProcess | undefined;
  /** True between a successful launch and the process's exit. */
  readonly running: boolean;
  /** Starts the server (again), on the same port unless it has to move. */
  launch(): Promise<void>;
  /**
   * Sends `signal` (after SIGCONT, so a paused process can act on it) and waits for the exit, sending
   * SIGKILL if it has not exited 3 s later.
   */
  terminate(signal: NodeJS.Signals): Promise<void>;
}

/** Launches a server process with {@link ServerProcessOptions.spawn} and returns its handle. */
export async function startServerProcess(options: ServerProcessOptions): Promise<ServerProcess> {
  let port = options.port ?? (await freePort());
  let child: ChildProcess | undefined;
  const handle: ServerProcess = {
    get port() {
      return port;
    },
    get child() {
      return child;
    },
    get running() {
      return child !== undefined && child.exitCode === null && child.signalCode === null;
    },
    async launch() {
      for (let attempt = 1; ; attempt++) {
        try {
          child = await options.spawn(port);
          return;
        } catch (error) {
          const portTaken = error instanceof Error && /Address already in use/.test(error.message);
          if (!portTaken || options.port !== undefined || attempt >= 5) throw error;
          port = await freePort();
        }
      }
    },
    async terminate(signal) {
      const proc = child;
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
      proc.kill('SIGCONT'); // a stopped (SIGSTOP) process cannot act on SIGTERM
      proc.kill(signal);
      // A server may refuse a graceful stop (a Redis replica whose primary died while it wrote its first
      // AOF says "Writing initial AOF, can't exit" and goes on): SIGKILL after 3 s.
      const escalate = setTimeout(() => proc.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(escalate);
    },
  };
  await handle.launch();
  return handle;
}

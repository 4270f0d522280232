import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServerProcess, trackServerProcess } from './serverProcess.ts';

/** Options of {@link startRedisServer}. */
export interface RedisServerOptions {
  /** Port on 127.0.0.1. @defaultValue a free port chosen by the OS */
  port?: number;
  /** The server binary. @defaultValue `process.env.REDIS_SERVER_BIN` or `'redis-server'` from PATH */
  binary?: string;
  /** How long to wait for "Ready to accept connections". @defaultValue `10000` */
  startTimeoutMs?: number;
  /**
   * `'aof'`: append-only file with `appendfsync everysec`: every acknowledged write is in the file before
   * the reply is sent, so a crash of the server process loses nothing (a crash of the machine may lose
   * the last second). `'none'`: memory only, as a control. @defaultValue `'aof'`
   */
  persistence?: 'aof' | 'none';
  /**
   * More `redis-server` arguments, e.g. `['--replicaof', '127.0.0.1', '7000']` or the cluster settings
   * (`startRedisCluster` passes them). @defaultValue `[]`
   */
  args?: readonly string[];
}

/** A private redis-server on loopback that can be stopped, killed and restarted from its own files. */
export interface RedisServer {
  readonly port: number;
  readonly url: string;
  readonly running: boolean;
  /** SIGTERM and wait for exit. */
  stop(): Promise<void>;
  /** Sends `signal` without waiting (SIGSTOP freezes the server, SIGCONT wakes it). */
  signal(signal: NodeJS.Signals): void;
  /** Kill with `signal` (default SIGKILL) and wait for exit: a crash, everything in memory is gone. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /**
   * Start again on the same port (SIGKILLing first if needed), from its own files: with `'aof'` it comes
   * back with what it had acknowledged; with `'none'`, empty.
   */
  restart(): Promise<void>;
}

/** redis-server is not installed (or not on PATH). */
export class RedisServerNotFoundError extends Error {
  constructor(binary: string, cause: unknown) {
    super(
      `cannot run "${binary}": install Redis (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis) ` +
        'or set REDIS_URL to a server you run yourself',
      { cause },
    );
    this.name = 'RedisServerNotFoundError';
  }
}

/** Starts a redis-server on 127.0.0.1 in a directory of its own. Resolves once it accepts connections. */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const binary = options.binary ?? process.env.REDIS_SERVER_BIN ?? 'redis-server';
  const startTimeoutMs = options.startTimeoutMs ?? 10_000;
  const persistence = options.persistence ?? 'aof';
  const dir = mkdtempSync(join(tmpdir(), 'rp-redis-'));
  const server = await startServerProcess({
    port: options.port,
    spawn: (port) => spawnServer(binary, port, dir, persistence, options.args ?? [], startTimeoutMs),
  });
  return {
    get port() {
      return server.port;
    },
    get url() {
      return `redis://127.0.0.1:${server.port}`;
    },
    get running() {
      return server.running;
    },
    async stop() {
      await server.terminate('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
    signal: (signal) => void server.child?.kill(signal),
    kill: (signal = 'SIGKILL') => server.terminate(signal),
    async restart() {
      await server.terminate('SIGKILL');
      await server.launch();
    },
  };
}

function spawnServer(
  binary: string,
  port: number,
  dir: string,
  persistence: 'aof' | 'none',
  extra: readonly string[],
  timeoutMs: number,
): Promise<ChildProcess> {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', ''];
  if (persistence === 'aof') args.push('--appendonly', 'yes', '--appendfsync', 'everysec');
  else args.push('--appendonly', 'no');
  // A replica's first sync starts at once (the default waits 5 s for more replicas to share it).
  args.push('--repl-diskless-sync-delay', '0');
  args.push('--dir', dir, '--daemonize', 'no', '--loglevel', 'notice', ...extra);
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  trackServerProcess(child);
  return new Promise((resolve, reject) => {
    let output = '';
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    const timer = setTimeout(
      () => fail(new Error(`redis-server on port ${port} not ready after ${timeoutMs} ms:\n${output}`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        resolve(child);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('error', (error) => fail(new RedisServerNotFoundError(binary, error)));
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(
        new Error(`redis-server on port ${port} exited (${signal ?? code}) before it was ready:\n${output}`),
      );
    });
  });
}

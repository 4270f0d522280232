import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startServerProcess, trackServerProcess } from './serverProcess.ts';

/** Options of {@link startZooKeeperServer}. */
export interface ZooKeeperServerOptions {
  /** Port on 127.0.0.1. @defaultValue a free port chosen by the OS */
  port?: number;
  /**
   * Server tick in ms. Session timeouts are bounded to `[minSessionTimeoutMs, 20 × tickMs]` and expiry is
   * checked once per tick, so a short tick lets tests use 2-4 s sessions that expire on time.
   * @defaultValue `200`
   */
  tickMs?: number;
  /** Shortest session timeout the server grants. @defaultValue `1000` */
  minSessionTimeoutMs?: number;
  /** Java heap limit, as `-Xmx`. @defaultValue `'256m'` */
  heap?: string;
  /** How long to wait for `ruok` to answer `imok`. @defaultValue `30000` (a cold JVM is slow on 2 cores) */
  startTimeoutMs?: number;
  /**
   * Directory of the Debian/Ubuntu `zookeeper` package's jars.
   * @defaultValue `process.env.ZOOKEEPER_JARS` or `/usr/share/java`
   */
  jarDir?: string;
}

/** A private standalone ZooKeeper on loopback, with a temporary data dir. */
export interface ZooKeeperServer {
  readonly port: number;
  /** `127.0.0.1:<port>`; append a chroot such as `/red-packets` for the lock. */
  readonly connectString: string;
  readonly running: boolean;
  /** SIGTERM, wait for exit, delete the data dir. */
  stop(): Promise<void>;
  /** Kill with `signal` (default SIGKILL) and wait for exit. The data dir stays (see restart). */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Freeze (SIGSTOP) or thaw (SIGCONT) the server: it stops answering, connections stay open. */
  pause(): void;
  resume(): void;
  /**
   * Start again on the same port with the same data dir (stopping first if needed), like a real server
   * recovering: znodes and sessions come back from the transaction log, and sessions that were not
   * renewed meanwhile expire.
   */
  restart(): Promise<void>;
}

/** Java or the ZooKeeper jars are missing. */
export class ZooKeeperServerNotFoundError extends Error {
  constructor(what: string, cause?: unknown) {
    super(
      `cannot run ZooKeeper (${what}): install it (Debian/Ubuntu: apt-get install zookeeper, which brings ` +
        'Java; macOS: brew install zookeeper and set ZOOKEEPER_JARS to its lib directory), or set ' +
        'ZOOKEEPER_CONNECT to a server you run yourself',
      cause === undefined ? undefined : { cause },
    );
    this.name = 'ZooKeeperServerNotFoundError';
  }
}

/** The jars ZooKeeperServerMain needs, and nothing else (loading all of /usr/share/java is slow). */
const JARS = [
  'zookeeper.jar',
  'zookeeper-jute.jar',
  'slf4j-api.jar',
  'slf4j-simple.jar',
  'netty-all.jar',
  'metrics-core.jar',
  'commons-cli.jar',
  'snappy-java.jar',
];
const REQUIRED_JARS = ['zookeeper.jar', 'zookeeper-jute.jar'];

/**
 * Starts `org.apache.zookeeper.server.ZooKeeperServerMain` on 127.0.0.1 with a generated zoo.cfg (admin
 * server off, only `ruok` and `srvr` allowed, bounded heap). Resolves once `ruok` answers `imok`. The
 * server may still refuse sessions for a moment after that: clients retry their first session
 * (`ZooKeeperSession` does).
 */
export async function startZooKeeperServer(options: ZooKeeperServerOptions = {}): Promise<ZooKeeperServer> {
  const jarDir = options.jarDir ?? process.env.ZOOKEEPER_JARS ?? '/usr/share/java';
  for (const jar of REQUIRED_JARS) {
    if (!existsSync(join(jarDir, jar))) throw new ZooKeeperServerNotFoundError(`${jar} not in ${jarDir}`);
  }
  const classpath = JARS.map((jar) => join(jarDir, jar))
    .filter((path) => existsSync(path))
    .join(':');
  const tickMs = options.tickMs ?? 200;
  const minSessionTimeoutMs = options.minSessionTimeoutMs ?? 1000;
  const startTimeoutMs = options.startTimeoutMs ?? 30_000;
  const dir = mkdtempSync(join(tmpdir(), 'rp-zookeeper-'));
  mkdirSync(join(dir, 'data'));
  const writeConfig = (port: number) =>
    writeFileSync(
      join(dir, 'zoo.cfg'),
      [
        `tickTime=${tickMs}`,
        `dataDir=${join(dir, 'data')}`,
        `clientPort=${port}`,
        'clientPortAddress=127.0.0.1',
        `minSessionTimeout=${minSessionTimeoutMs}`,
        `maxSessionTimeout=${Math.max(minSessionTimeoutMs, 20 * tickMs, 60_000)}`,
        'admin.enableServer=false',
        '4lw.commands.whitelist=ruok,srvr',
        // Snapshots and purges are irrelevant for a throwaway server.
        'autopurge.purgeInterval=0',
        '',
      ].join('\n'),
    );
  const server = await startServerProcess({
    port: options.port,
    spawn: (port) => {
      writeConfig(port);
      return spawnServer(classpath, options.heap ?? '256m', dir, port, startTimeoutMs);
    },
  });
  return {
    get port() {
      return server.port;
    },
    get connectString() {
      return `127.0.0.1:${server.port}`;
    },
    get running() {
      return server.running;
    },
    async stop() {
      await server.terminate('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
    kill: (signal = 'SIGKILL') => server.terminate(signal),
    pause: () => void server.child?.kill('SIGSTOP'),
    resume: () => void server.child?.kill('SIGCONT'),
    async restart() {
      await server.terminate('SIGKILL');
      await server.launch();
    },
  };
}

async function spawnServer(
  classpath: string,
  heap: string,
  dir: string,
  port: number,
  timeoutMs: number,
): Promise<ChildProcess> {
  const args = [
    `-Xmx${heap}`,
    '-XX:+UseSerialGC',
    '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn',
    '-Dzookeeper.jmx.log4j.disable=true',
    '-cp',
    classpath,
    'org.apache.zookeeper.server.ZooKeeperServerMain',
    join(dir, 'zoo.cfg'),
  ];
  const child = spawn('java', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  trackServerProcess(child);
  let output = '';
  const collect = (chunk: Buffer) => {
    // Keep the tail only: a long-running server logs warnings now and then.
    output = (output + chunk.toString()).slice(-8000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const failed = new Promise<never>((_, reject) => {
    child.once('error', (error) => reject(new ZooKeeperServerNotFoundError('java not found', error)));
    child.once('exit', (code, signal) =>
      reject(
        new Error(`ZooKeeper on port ${port} exited (${signal ?? code}) before it was ready:\n${output}`),
      ),
    );
  });
  failed.catch(() => {}); // observed below; after readiness an exit is reported by `running`
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const ok = await Promise.race([fourLetterWord(port, 'ruok').then((reply) => reply === 'imok'), failed]);
    if (ok) return child;
    await Promise.race([sleep(100), failed]);
  }
  child.kill('SIGKILL');
  throw new Error(`ZooKeeper on port ${port} not ready after ${timeoutMs} ms:\n${output}`);
}

/** Sends a four-letter command (`ruok`, `srvr`) and resolves with the reply, or '' if none. */
export function fourLetterWord(port: number, word: string): Promise<string> {
  return new Promise((resolve) => {
    let reply = '';
    const socket = connect(port, '127.0.0.1', () => socket.write(word));
    socket.setTimeout(1000, () => socket.destroy());
    socket.on('data', (chunk) => {
      reply += chunk.toString();
    });
    socket.on('error', () => {});
    socket.on('close', () => resolve(reply));
  });
}

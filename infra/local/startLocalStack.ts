import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { SQSClient } from '@aws-sdk/client-sqs';
import { ensureQueues, type LocalQueues } from './ensureQueues.ts';
import { freePort } from './freePort.ts';
import { type RedisServer, startRedisServer } from './redisServer.ts';
import { type SqsEmulator, startSqsEmulator } from './sqsEmulator.ts';
import { startZooKeeperServer } from './zookeeperServer.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SERVICE = 'red-packet-payouts';

/** Options of {@link startLocalStack}. Ports default to the usual ones; pass 0 for free ports. */
export interface LocalStackOptions {
  /** @defaultValue 3000 */
  httpPort?: number;
  /** serverless-offline's Lambda invoke port. @defaultValue 3002 */
  lambdaPort?: number;
  /** fauxqs port. @defaultValue 4566 */
  sqsPort?: number;
  /** Use this SQS-compatible endpoint (LocalStack, ElasticMQ) instead of starting fauxqs. */
  sqsEndpoint?: string;
  /** Use this Redis instead of starting a private redis-server. @defaultValue `process.env.REDIS_URL` */
  redisUrl?: string;
  /** `REDIS_MODE` of that Redis (`cluster`: `redisUrl` lists seed nodes). @defaultValue `process.env.REDIS_MODE` */
  redisMode?: 'standalone' | 'cluster';
  /** `REDIS_MIN_REPLICAS`: replicas that must confirm a write before it is acknowledged. @defaultValue 0 */
  minReplicas?: number;
  /** More settings for the functions (e.g. `PACKET_RETENTION_DAYS`). @defaultValue `{}` */
  env?: Record<string, string>;
  /** Lower the claims queue's visibility timeout (tests that wait for redeliveries). */
  visibilityTimeoutSeconds?: number;
  /** Concurrent queue pollers. @defaultValue 4 */
  pollers?: number;
  /**
   * The consumers' longest wait for one packet's lock (`LOCK_WAIT_MS`; with a short one, also lower
   * `LOCK_TTL_MS` through `env`). @defaultValue the functions' own (8000)
   */
  lockWaitMs?: number;
  /**
   * How often the scheduled functions (the sweeper) run, in seconds. serverless-offline's own scheduler
   * runs them once a minute, like the deployed schedule; a few seconds suit tests. @defaultValue unset
   */
  scheduleSeconds?: number;
  /** How long an accepted record waits for its send before the sweeper re-sends it (`RESEND_AFTER_MS`). */
  resendAfterMs?: number;
  /** Where serverless-offline's output goes: a file path, or `'inherit'`. @defaultValue `.local/offline.log` */
  offlineLog?: string;
  /**
   * The packet lock (`LOCK_BACKEND`). With `'zookeeper'` and no `ZOOKEEPER_CONNECT` in the environment, a
   * private standalone ZooKeeper is started on a free port.
   * @defaultValue `process.env.LOCK_BACKEND`, else `'redis-getset'`
   */
  lockBackend?: 'redis-getset' | 'redis-setnx' | 'zookeeper';
  /**
   * Restart serverless-offline on the same ports, against the same Redis and queues, when it dies without
   * being asked to (a crash, a SIGKILL), telling `onOffline`. `killOffline()` still takes it down for good
   * until `restartOffline()`. `npm start` turns it on. @defaultValue false
   */
  superviseOffline?: boolean;
  /** Told when a supervised serverless-offline died and when it answers again (with its new pid). */
  onOffline?: (event: OfflineEvent) => void;
}

/** What {@link LocalStackOptions.onOffline} is told. */
export type OfflineEvent =
  | { type: 'died'; reason: string }
  | { type: 'restarted'; pid: number | undefined }
  | { type: 'restart_failed'; error: string };

/** A running local stack. */
export interface LocalStack {
  readonly httpUrl: string;
  readonly sqsEndpoint: string;
  readonly redisUrl: string;
  /** The ZooKeeper connect string the consumers use, when the lock backend is `zookeeper`. */
  readonly zookeeperConnect: string | undefined;
  readonly queues: LocalQueues;
  /** The serverless-offline process's pid (changes when it is restarted). */
  readonly offlinePid: number | undefined;
  /** SIGKILL the serverless-offline process group (a crash of the whole offline stack); not restarted. */
  killOffline(): Promise<void>;
  /** Start serverless-offline again with the same settings. */
  restartOffline(): Promise<void>;
  /** Stops everything this call started. */
  stop(): Promise<void>;
}

/**
 * Starts the local stack: Redis (`REDIS_URL`, or a private redis-server on a free port), an SQS emulator
 * (fauxqs on 127.0.0.1, or `sqsEndpoint`) with the deployed queues and redrive, and `serverless offline`
 * with the project's SQS event-source plugin. Resolves once the HTTP API answers.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const started: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of started.reverse()) await stop().catch(() => undefined);
    started.length = 0;
  };
  try {
    let redisUrl = options.redisUrl ?? process.env.REDIS_URL;
    if (!redisUrl) {
      const redis: RedisServer = await startRedisServer();
      started.push(() => redis.stop());
      redisUrl = redis.url;
    }
    const lockBackend = options.lockBackend ?? process.env.LOCK_BACKEND ?? 'redis-getset';
    let zookeeperConnect = lockBackend === 'zookeeper' ? process.env.ZOOKEEPER_CONNECT : undefined;
    if (lockBackend === 'zookeeper' && !zookeeperConnect) {
      const zookeeper = await startZooKeeperServer();
      started.push(() => zookeeper.stop());
      zookeeperConnect = `${zookeeper.connectString}/red-packets`;
    }
    let sqsEndpoint = options.sqsEndpoint;
    if (!sqsEndpoint) {
      const emulator: SqsEmulator = await startSqsEmulator(await port(options.sqsPort, 4566));
      started.push(() => emulator.stop());
      sqsEndpoint = emulator.endpoint;
    }
    const sqs = new SQSClient({ region: 'us-east-1', endpoint: sqsEndpoint, credentials: LOCAL_CREDENTIALS });
    const queues = await ensureQueues(sqs, {
      service: SERVICE,
      stage: 'local',
      ...(options.visibilityTimeoutSeconds === undefined
        ? {}
        : { visibilityTimeoutSeconds: options.visibilityTimeoutSeconds }),
    });
    const httpPort = await port(options.httpPort, 3000);
    const lambdaPort = await port(options.lambdaPort, 3002);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...LOCAL_ENV,
      REDIS_URL: redisUrl,
      REDIS_MODE: options.redisMode ?? process.env.REDIS_MODE ?? 'standalone',
      ...(options.minReplicas === undefined ? {} : { REDIS_MIN_REPLICAS: String(options.minReplicas) }),
      SQS_ENDPOINT: sqsEndpoint,
      CLAIMS_QUEUE_URL: queues.queueUrl,
      HTTP_PORT: String(httpPort),
      LAMBDA_PORT: String(lambdaPort),
      OFFLINE_SQS_POLLERS: String(options.pollers ?? 4),
      ...(options.lockWaitMs === undefined ? {} : { LOCK_WAIT_MS: String(options.lockWaitMs) }),
      ...(options.scheduleSeconds === undefined
        ? {}
        : { OFFLINE_SCHEDULE_SECONDS: String(options.scheduleSeconds) }),
      ...(options.resendAfterMs === undefined ? {} : { RESEND_AFTER_MS: String(options.resendAfterMs) }),
      ...options.env,
      LOCK_BACKEND: lockBackend,
      ...(zookeeperConnect ? { ZOOKEEPER_CONNECT: zookeeperConnect } : {}),
    };
    const httpUrl = `http://127.0.0.1:${httpPort}`;
    const logTo = options.offlineLog ?? join(ROOT, '.local', 'offline.log');
    let offline = await startOffline(env, httpUrl, logTo);
    /** Taken down on purpose (stop, killOffline): not restarted. */
    let down = false;
    let restarting: Promise<void> = Promise.resolve();
    const supervise = (child: ChildProcess) => {
      child.once('exit', (code, signal) => {
        if (!options.superviseOffline || down || child !== offline) return;
        options.onOffline?.({ type: 'died', reason: signal ?? `exit code ${code}` });
        restarting = (async () => {
          await stopGroup(child, 'SIGKILL'); // whatever it started, so the ports are free
          for (let attempt = 1; !down; attempt++) {
            try {
              offline = await startOffline(env, httpUrl, logTo);
              if (down) {
                await stopGroup(offline, 'SIGTERM');
                return;
              }
              supervise(offline);
              options.onOffline?.({ type: 'restarted', pid: offline.pid });
              return;
            } catch (error) {
              options.onOffline?.({ type: 'restart_failed', error: (error as Error).message });
              await new Promise((resolve) => setTimeout(resolve, Math.min(10_000, 1000 * attempt)));
            }
          }
        })();
      });
    };
    supervise(offline);
    started.push(async () => {
      down = true;
      await restarting;
      await stopGroup(offline, 'SIGTERM');
    });
    return {
      httpUrl,
      sqsEndpoint,
      redisUrl,
      zookeeperConnect,
      queues,
      get offlinePid() {
        return offline.pid;
      },
      async killOffline() {
        down = true;
        await restarting;
        await stopGroup(offline, 'SIGKILL');
      },
      async restartOffline() {
        down = true;
        await restarting;
        await stopGroup(offline, 'SIGKILL');
        offline = await startOffline(env, httpUrl, logTo);
        down = false;
        supervise(offline);
      },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** The SDK needs credentials even against an emulator; these never leave the machine. */
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
const LOCAL_ENV = {
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  AWS_REGION: 'us-east-1',
  SLS_TELEMETRY_DISABLED: '1',
  SLS_NOTIFICATIONS_MODE: 'off',
};

const port = async (requested: number | undefined, fallback: number) =>
  requested === 0 ? freePort() : (requested ?? fallback);

async function startOffline(env: NodeJS.ProcessEnv, httpUrl: string, logTo: string): Promise<ChildProcess> {
  const bin = join(ROOT, 'node_modules', 'serverless', 'bin', 'serverless.js');
  const inherit = logTo === 'inherit';
  // Requests reach the functions as API Gateway passes them (repeated headers comma-joined, not the last
  // one alone), and cookies are not parsed: hapi would answer a malformed Cookie header with its own 400.
  const preload = pathToFileURL(join(ROOT, 'infra', 'offline', 'preloadApiGatewayRequests.ts')).href;
  // The handlers run in this process (useInProcess), so their stack traces map through the bundles' source
  // maps only if the process itself enables them (NODE_OPTIONS in serverless.yml reaches Lambda only).
  const args = [
    '--enable-source-maps',
    '--import',
    preload,
    bin,
    'offline',
    'start',
    '--stage',
    'local',
    '--disableCookieValidation',
  ];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env,
    detached: true, // its own process group, so a kill reaches every process it started
    stdio: inherit ? 'inherit' : ['ignore', 'pipe', 'pipe'],
  });
  if (!inherit) {
    mkdirSync(dirname(logTo), { recursive: true });
    const log = createWriteStream(logTo, { flags: 'w' });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
  }
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code, signal) =>
      reject(new Error(`serverless offline exited (${signal ?? code}) before it was ready; see ${logTo}`)),
    ),
  );
  exited.catch(() => undefined);
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    const ready = await Promise.race([probe(`${httpUrl}/packets/pk_ready`), exited]);
    if (ready) return child;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await stopGroup(child, 'SIGKILL');
  throw new Error(`serverless offline did not answer on ${httpUrl} within 90 s; see ${logTo}`);
}

/** True once the API answers with its JSON error shape (the function ran: Redis and config are fine). */
async function probe(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, {
      signal: AbortSignal.timeout(2000),
      headers: { 'x-user-id': 'probe' },
    });
    return response.status === 404;
  } catch {
    return false;
  }
}

/**
 * Signals the process group of `child` (serverless offline and what it started, such as esbuild's service)
 * and waits until the whole group is gone, escalating to SIGKILL after 5 s.
 */
async function stopGroup(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  const pgid = child.pid;
  if (!pgid) return;
  const groupAlive = () => {
    try {
      process.kill(-pgid, 0);
      return true;
    } catch {
      return false;
    }
  };
  const send = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pgid, sig);
    } catch {
      // the group is gone already
    }
  };
  if (!groupAlive()) return;
  send(signal);
  const killAt = Date.now() + 5000;
  // A zombie nobody reaps (no init in some containers) keeps a group "alive": give up 2 s after SIGKILL.
  const giveUpAt = killAt + 2000;
  while (groupAlive() && Date.now() < giveUpAt) {
    if (Date.now() > killAt) send('SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  // Reap the leader so that 'exit' listeners have run before we return.
  if (child.exitCode === null && child.signalCode === null) {
    await new Promise<void>((resolve) => child.once('exit', () => resolve()));
  }
}

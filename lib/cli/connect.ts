import { SQSClient } from '@aws-sdk/client-sqs';
import type { RedisClient } from '../packets/index.ts';
import { CLUSTER_SEEDS_PATTERN, createRedisClient, REDIS_URL_PATTERN } from '../runtime/redisClient.ts';
import { CliError, EXIT } from './CliError.ts';
import type { Connection } from './parseCommand.ts';

/** URLs with their passwords (if any) masked, for messages (every URL of a comma-separated list). */
export function redact(url: string): string {
  return url.replace(/\/\/([^@/,:]*):[^/,]*@/g, '//$1:***@');
}

/**
 * Connects to Redis, failing within a few seconds with a {@link CliError} (exit 3) when it cannot: an
 * operator tool should say "cannot reach Redis at …" rather than retry forever.
 */
export async function connectRedis(connection: Connection): Promise<RedisClient> {
  const url = connection.redisUrl;
  if (!url) throw new CliError('no Redis: set REDIS_URL or pass --redis-url', EXIT.usage);
  const cluster = connection.redisMode === 'cluster';
  if (!(cluster ? CLUSTER_SEEDS_PATTERN : REDIS_URL_PATTERN).test(url)) {
    const expected = cluster
      ? 'comma-separated seed nodes (redis://host:port or host:port)'
      : 'a redis:// or rediss:// URL';
    throw new CliError(`--redis-url must be ${expected}, got "${redact(url)}"`, EXIT.usage);
  }
  const redis = createRedisClient(
    { url, mode: connection.redisMode },
    {
      lazyConnect: true,
      connectTimeout: 3000,
      commandTimeout: 10_000,
      maxRetriesPerRequest: 2,
      retryStrategy: (attempt) => (attempt > 3 ? null : 200 * attempt),
    },
  );
  redis.on('error', () => {}); // reported by the command that fails
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    throw new CliError(
      `cannot reach Redis at ${redact(url)}: ${(error as Error).message}`,
      EXIT.unavailable,
      {
        cause: error,
      },
    );
  }
  return redis;
}

/** The SQS client and queue URL for sending payouts; {@link CliError} (exit 2) when no queue is set. */
export function connectQueue(connection: Connection): { sqs: SQSClient; queueUrl: string } {
  const queueUrl = connection.queueUrl;
  if (!queueUrl) throw new CliError('no queue: set CLAIMS_QUEUE_URL or pass --queue-url', EXIT.usage);
  if (!URL.canParse(queueUrl)) throw new CliError(`--queue-url is not a URL: "${queueUrl}"`, EXIT.usage);
  const endpoint = connection.sqsEndpoint;
  if (endpoint !== undefined && !URL.canParse(endpoint)) {
    throw new CliError(`--sqs-endpoint is not a URL: "${endpoint}"`, EXIT.usage);
  }
  const sqs = new SQSClient({
    region: connection.region,
    maxAttempts: 3,
    ...(endpoint ? { endpoint } : {}),
    // An emulator on this machine still needs credentials to sign with; they never leave loopback.
    ...(endpoint && isLoopback(endpoint) && !process.env.AWS_ACCESS_KEY_ID
      ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : {}),
  });
  return { sqs, queueUrl };
}

function isLoopback(url: string): boolean {
  const host = new URL(url).hostname;
  return host === 'localhost' || host === '[::1]' || host.startsWith('127.');
}

import { SQSClient } from '@aws-sdk/client-sqs';
import type { RedisClient } from '../packets/index.ts';
import { CLUSTER_SEEDS_PATTERN, createRedisClient, REDIS_URL_PATTERN } from '../runtime/redisClient.ts';
import { CliError, EXIT } from './CliError.ts';
import type { Connection } from './parseCommand.ts';

/** Query parameters whose value is a secret, by name: `password`, `pass`, `pwd`, `token`, `secret`, `auth`, … */
const SECRET_PARAM = /pass|pwd|token|secret|auth|key|credential|signature/i;

/**
 * A URL, or a comma-separated list of them (cluster seeds), fit for a message: user and password become
 * `***`, and so does the value of every query parameter whose name looks like a secret. Each URL is
 * parsed with node's URL (so `@` in a password is no trap); when one does not parse (a `/` or `,` in a
 * password does that), everything between `://` and the last `@` is masked instead, with the secrets of
 * the query, so an unparseable URL never shows its credentials either.
 */
export function redact(urls: string): string {
  const parts = urls.split(',').map(redactUrl);
  return parts.every((part) => part !== undefined) ? parts.join(',') : redactUnparsed(urls);
}

/** One URL redacted, a bare `host:port` seed as it is; `undefined` when it does not parse. */
function redactUrl(text: string): string | undefined {
  const scheme = text.indexOf('://');
  if (scheme === -1) return /[@?]/.test(text) ? undefined : text;
  const rest = text.slice(scheme + 3);
  const authorityEnd = rest.search(/[/?#]/);
  // An `@` past the authority may be a password's (`p@ss/x`), which the parser would split into a host.
  if (authorityEnd !== -1 && rest.includes('@', authorityEnd)) return undefined;
  if (!URL.canParse(text)) return undefined;
  const url = new URL(text);
  const credentials = url.username !== '' || url.password !== '';
  url.username = '';
  url.password = '';
  for (const name of new Set(url.searchParams.keys())) {
    if (SECRET_PARAM.test(name)) url.searchParams.set(name, '***');
  }
  return credentials ? url.href.replace('://', '://***@') : url.href;
}

/** Everything between `://` (or the start) and the last `@` masked, and secret-looking query values. */
function redactUnparsed(text: string): string {
  const start = text.includes('://') ? text.indexOf('://') + 3 : 0;
  const at = text.lastIndexOf('@');
  const masked = at >= start ? `${text.slice(0, start)}***${text.slice(at)}` : text;
  return masked.replace(/([?&][^=&#,]*=)([^&#,]*)/g, (_param, name: string, value: string) =>
    SECRET_PARAM.test(name) ? `${name}***` : `${name}${value}`,
  );
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
  if (!URL.canParse(queueUrl))
    throw new CliError(`--queue-url is not a URL: "${redact(queueUrl)}"`, EXIT.usage);
  const endpoint = connection.sqsEndpoint;
  if (endpoint !== undefined && !URL.canParse(endpoint)) {
    throw new CliError(`--sqs-endpoint is not a URL: "${redact(endpoint)}"`, EXIT.usage);
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

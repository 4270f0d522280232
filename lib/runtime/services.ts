import { createLockBackend } from '../lock/index.ts';
import { createRedPackets, type RedisClient, type RedPackets } from '../packets/index.ts';
import { awsClientConfig } from './awsClientConfig.ts';
import { type Config, loadConfig, lockBackendOptions, packetsOptions } from './config.ts';
import type { RedisCredentials } from './readRedisSecret.ts';
import { createRedisClient } from './redisClient.ts';

/** What the handlers share across invocations of one Lambda container (the queue: see `getQueue`). */
export interface Services {
  config: Config;
  redis: RedisClient;
  packets: RedPackets;
}

let services: Promise<Services> | undefined;

/**
 * The container's clients, created on first use and reused by later invocations (connection set-up is
 * the expensive part of a cold start); a failed set-up (a secret that could not be read) is tried again by
 * the next invocation. Redis fails fast instead of queueing while unreachable, so a request answers 503
 * and a queue record is retried by SQS, instead of hanging until the timeout.
 */
export function getServices(): Promise<Services> {
  services ??= createServices().catch((error: unknown) => {
    services = undefined;
    throw error;
  });
  return services;
}

async function createServices(): Promise<Services> {
  const config = loadConfig();
  const redis = createRedisClient(
    { url: config.REDIS_URL, mode: config.REDIS_MODE },
    {
      maxRetriesPerRequest: 1,
      connectTimeout: 2000,
      commandTimeout: 3000,
      enableAutoPipelining: false,
      ...(await readCredentials(config)),
    },
  );
  redis.on('error', () => {}); // surfaced per command; the client reconnects by itself
  // LOCK_BACKEND picks the packet lock; ZooKeeper connects on the first acquisition, not at cold start.
  const { lock } = await createLockBackend(redis, lockBackendOptions(config));
  return { config, redis, packets: createRedPackets(redis, { lock, ...packetsOptions(config) }) };
}

/**
 * The Redis credentials in `REDIS_SECRET_ID`, or none. The Secrets Manager client is loaded only when a
 * secret is configured, so a run without one (local, tests) never evaluates it.
 */
async function readCredentials(config: Config): Promise<RedisCredentials | Record<string, never>> {
  if (!config.REDIS_SECRET_ID) return {};
  const [{ SecretsManagerClient }, { readRedisSecret }] = await Promise.all([
    import('@aws-sdk/client-secrets-manager'),
    import('./readRedisSecret.ts'),
  ]);
  const client = new SecretsManagerClient(
    awsClientConfig(config.AWS_REGION, config.SECRETS_MANAGER_ENDPOINT),
  );
  return readRedisSecret(client, config.REDIS_SECRET_ID);
}

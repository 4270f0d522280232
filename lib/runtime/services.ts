import { SQSClient } from '@aws-sdk/client-sqs';
import { Redis } from 'ioredis';
import { type ClaimQueue, createSqsClaimQueue } from '../claims/ClaimQueue.ts';
import { createLockBackend } from '../lock/index.ts';
import { createRedPackets, type RedPackets } from '../packets/index.ts';
import { type Config, loadConfig } from './config.ts';

/** What the handlers share across invocations of one Lambda container. */
export interface Services {
  config: Config;
  redis: Redis;
  packets: RedPackets;
  queue: ClaimQueue;
  /** The SQS client and claims queue URL, for batch sends. */
  sqs: SQSClient;
}

let services: Services | undefined;

/**
 * The container's clients, created on first use and reused by later invocations (connection set-up is
 * the expensive part of a cold start). Redis fails fast instead of queueing while unreachable, so a
 * request answers 503 and a queue record is retried by SQS, instead of hanging until the timeout.
 */
export function getServices(): Services {
  if (services) return services;
  const config = loadConfig();
  const redis = new Redis(config.REDIS_URL, {
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    commandTimeout: 3000,
    enableAutoPipelining: false,
  });
  redis.on('error', () => {}); // surfaced per command; the client reconnects by itself
  const sqs = new SQSClient({
    region: config.AWS_REGION,
    ...(config.SQS_ENDPOINT ? { endpoint: config.SQS_ENDPOINT } : {}),
  });
  // LOCK_BACKEND picks the packet lock; ZooKeeper connects on the first acquisition, not at cold start.
  const { lock } = createLockBackend(redis, {
    backend: config.LOCK_BACKEND,
    ...(config.ZOOKEEPER_CONNECT ? { zookeeperConnect: config.ZOOKEEPER_CONNECT } : {}),
    zookeeperSession: { sessionTimeoutMs: config.ZOOKEEPER_SESSION_TIMEOUT_MS },
  });
  services = {
    config,
    redis,
    packets: createRedPackets(redis, { lock }),
    queue: createSqsClaimQueue(sqs, config.CLAIMS_QUEUE_URL),
    sqs,
  };
  return services;
}

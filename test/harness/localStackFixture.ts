import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll } from 'vitest';
import { createFundedPacket } from '../../infra/local/fundedPacket.ts';
import {
  type LocalStack,
  type LocalStackOptions,
  startLocalStack,
} from '../../infra/local/startLocalStack.ts';
import { createRedPackets, type RedisClient, type RedPackets } from '../../lib/packets/index.ts';
import { createRedisClient } from '../../lib/runtime/redisClient.ts';
import { queueDepth } from './queueDepth.ts';

/** An HTTP reply: status and parsed JSON body. */
export interface Reply<T = Record<string, unknown>> {
  status: number;
  body: T;
}

/** The local stack for one test file, with helpers that talk to it only over HTTP, SQS and Redis. */
export interface StackFixture {
  readonly stack: LocalStack;
  readonly packets: RedPackets;
  readonly redis: RedisClient;
  request<T = Record<string, unknown>>(
    method: string,
    path: string,
    init?: { body?: string; headers?: Record<string, string> },
  ): Promise<Reply<T>>;
  /**
   * A funded packet, as its owner creates it: an operator credits `owner` with the packet's amount, then
   * the owner creates it through its route (`POST /admin/packets` for an operator `op:…`, `POST /packets`
   * for a user). Each call's default owner is a new operator, so no test meets another's open-packet limit.
   */
  createPacket<T = Record<string, unknown> & { packetId: string }>(
    body: Record<string, unknown>,
    owner?: string,
  ): Promise<Reply<T>>;
  /** Polls `check` until it returns a value (not undefined) or `timeoutMs` passes. */
  eventually<T>(check: () => Promise<T | undefined>, timeoutMs?: number): Promise<T>;
  /** Messages visible + in flight in a queue. */
  queueDepth(queueUrl: string): Promise<number>;
  sqs: SQSClient;
}

/**
 * Stack options for a lock that gives up within a second, so that records a busy lock turned away come
 * back quickly: `LOCK_WAIT_MS` 1000 with a 500 ms lease and no drift margin, the shortest wait the
 * functions' configuration accepts for that lease (ttl + drift + 500 ms).
 */
export const QUICK_LOCK = {
  lockWaitMs: 1000,
  env: { LOCK_TTL_MS: '500', LOCK_DRIFT_MS: '0' },
} as const satisfies LocalStackOptions;

/**
 * Starts the whole local stack (free ports, private Redis, fauxqs, serverless-offline) for this file.
 * `options` may be a function, read when the stack starts (after the file's earlier `beforeAll` hooks, such
 * as one that starts a Redis Cluster).
 */
export function useLocalStack(options: LocalStackOptions | (() => LocalStackOptions) = {}): StackFixture {
  let stack: LocalStack | undefined;
  let redis: RedisClient | undefined;
  let sqs: SQSClient | undefined;
  beforeAll(async () => {
    const resolved = typeof options === 'function' ? options() : options;
    stack = await startLocalStack({ httpPort: 0, lambdaPort: 0, sqsPort: 0, ...resolved });
    redis = createRedisClient(
      { url: stack.redisUrl, mode: resolved.redisMode ?? 'standalone' },
      { maxRetriesPerRequest: 1 },
    );
    sqs = new SQSClient({
      region: 'us-east-1',
      endpoint: stack.sqsEndpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  }, 120_000);
  afterAll(async () => {
    redis?.disconnect();
    await stack?.stop();
  }, 60_000);
  const need = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is not started yet`);
    return value;
  };
  return {
    get stack() {
      return need(stack, 'the stack');
    },
    get redis() {
      return need(redis, 'redis');
    },
    get sqs() {
      return need(sqs, 'sqs');
    },
    get packets() {
      return createRedPackets(need(redis, 'redis'));
    },
    async request(method, path, init = {}) {
      const response = await fetch(`${need(stack, 'the stack').httpUrl}${path}`, {
        method,
        headers: { 'content-type': 'application/json', ...init.headers },
        ...(init.body === undefined ? {} : { body: init.body }),
      });
      const text = await response.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // leave the raw text: the test will say what it got
      }
      return { status: response.status, body: body as never };
    },
    async createPacket(body, owner) {
      return (await createFundedPacket(need(stack, 'the stack').httpUrl, body, owner)) as never;
    },
    async eventually(check, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const value = await check();
        if (value !== undefined) return value;
        if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    queueDepth: (queueUrl) => queueDepth(need(sqs, 'sqs'), queueUrl),
  };
}

export { ReceiveMessageCommand };

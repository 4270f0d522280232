/**
 * The claim door in a process of its own, for crash tests: accepts `USER`'s claim on `PACKET` with the real
 * accept path against REDIS_URL, sending to QUEUE_URL at SQS_ENDPOINT. Point SQS_ENDPOINT at a server that
 * never answers and the process hangs between recording the claim and sending it: the test kills it there.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { Redis } from 'ioredis';
import { acceptClaim } from '../../lib/claims/acceptClaim.ts';
import { createRedPackets } from '../../lib/packets/index.ts';
import { createSqsQueue } from '../../lib/queue/MessageQueue.ts';
import { report, runWorker } from '../harness/workerRuntime.ts';

const env = (name: string) => process.env[name] ?? '';
runWorker(async () => {
  const redis = new Redis(env('REDIS_URL'), { maxRetriesPerRequest: 1 });
  const sqs = new SQSClient({
    region: 'us-east-1',
    endpoint: env('SQS_ENDPOINT'),
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const rp = createRedPackets(redis);
  report({ type: 'ready' });
  const claim = await acceptClaim(
    rp.context,
    createSqsQueue(sqs, env('QUEUE_URL')),
    env('PACKET'),
    env('USER'),
  );
  report({ type: 'accepted', claim });
  redis.disconnect();
  sqs.destroy();
});

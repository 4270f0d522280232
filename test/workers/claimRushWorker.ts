/**
 * One process of a rush on the claim door: after `go`, accepts the claims of users `rush-FIRST` …
 * `rush-(FIRST + COUNT - 1)` on PACKET with the real accept path (against REDIS_URL, sending to QUEUE_URL at
 * SQS_ENDPOINT), CONCURRENCY at a time, and reports `{type: 'done', accepted: [{claimId, shareHeld}],
 * exhausted, failed}`: 202s, 410 `packet_exhausted`, anything else.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { Redis } from 'ioredis';
import { acceptClaim } from '../../lib/claims/acceptClaim.ts';
import { createRedPackets } from '../../lib/packets/index.ts';
import { createSqsQueue } from '../../lib/queue/MessageQueue.ts';
import { command, report, runWorker } from '../harness/workerRuntime.ts';

const env = (name: string) => process.env[name] ?? '';
runWorker(async () => {
  const redis = new Redis(env('REDIS_URL'), { maxRetriesPerRequest: 1 });
  const sqs = new SQSClient({
    region: 'us-east-1',
    endpoint: env('SQS_ENDPOINT'),
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const rp = createRedPackets(redis);
  const queue = createSqsQueue(sqs, env('QUEUE_URL'));
  const first = Number(env('FIRST'));
  const count = Number(env('COUNT'));
  const accepted: Array<{ claimId: string; shareHeld: boolean }> = [];
  let exhausted = 0;
  let failed = 0;
  let next = 0;
  report({ type: 'ready' });
  await command('go');
  await Promise.all(
    Array.from({ length: Number(env('CONCURRENCY')) }, async () => {
      while (next < count) {
        const user = `rush-${first + next++}`;
        try {
          const claim = await acceptClaim(rp.context, queue, env('PACKET'), user);
          accepted.push({ claimId: claim.claimId, shareHeld: claim.shareHeld });
        } catch (error) {
          if ((error as { code?: string }).code === 'packet_exhausted') exhausted++;
          else failed++;
        }
      }
    }),
  );
  report({ type: 'done', accepted, exhausted, failed });
  redis.disconnect();
  sqs.destroy();
});

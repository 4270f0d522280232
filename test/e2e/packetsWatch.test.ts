import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { acceptClaim } from '../../lib/claims/acceptClaim.ts';
import { watchPacket } from '../../lib/cli/watchPacket.ts';
import { createRedPackets } from '../../lib/packets/index.ts';
import { fundedPacket } from '../harness/funding.ts';
import { useQueue } from '../harness/queueFixture.ts';
import { useRedis } from '../harness/redisFixture.ts';
import { spawnCli } from '../harness/runCliProcess.ts';

/**
 * `red-packets packets watch` as an operator runs it (a separate process, stdout a pipe: plain lines), on
 * real Redis and the SQS emulator, while the real consumer drains a queue of accepted claims.
 */

const redis = useRedis();
const sqs = useQueue({ visibilityTimeoutSeconds: 2 });

/** One plain line of the watch, parsed back. */
const LINE =
  /^(\S+) (pk_\S+) (\w+) remaining ([\d,.]+)\/([\d,.]+) shares (\d+)\/(\d+) paid\/s ([\d.]+) claims queued (\d+) queue (\d+) \(\+(\d+) in flight\) dlq (\S+)$/;
const parse = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .map((line) => {
      const m = LINE.exec(line);
      if (!m) throw new Error(`not a watch line: ${JSON.stringify(line)}`);
      return {
        status: m[3],
        remaining: Number(m[4]?.replaceAll(',', '')),
        shares: Number(m[6]),
        paidPerSecond: Number(m[8]),
        claimsQueued: Number(m[9]),
        queued: Number(m[10]) + Number(m[11]),
        dlq: m[12],
      };
    });

const env = () => ({
  REDIS_URL: redis.url,
  CLAIMS_QUEUE_URL: sqs.queues.queueUrl,
  SQS_ENDPOINT: sqs.endpoint,
});

describe('red-packets packets watch (non-TTY)', () => {
  it('shows the packet draining under the consumer, and exits 0 once every share is paid', async () => {
    const rp = createRedPackets(redis.client());
    const { packetId } = await fundedPacket(rp, { totalAmount: 50_000, count: 500, mode: 'equal' });
    for (let i = 0; i < 500; i++) await acceptClaim(rp.context, sqs.queue, packetId, `u${i}`);
    const watch = spawnCli(['packets', 'watch', '--packet', packetId, '--interval', '200'], env());
    // The first line, before anything is consumed; then the real consumer takes 200 messages, the watch
    // shows the packet part-way, and the consumer's pollers drain the rest.
    await waitFor(() => stdoutOf(watch).includes('\n'));
    expect(await sqs.drain(rp, undefined, 200)).toBe(200);
    await waitFor(() => /shares 300\/500/.test(stdoutOf(watch)));
    const consumer = sqs.consume(rp);

    const run = await watch.done;
    await consumer.stop();

    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).not.toContain('\x1b['); // plain lines, no redraw codes
    const lines = parse(run.stdout);
    expect(lines[0]).toMatchObject({ status: 'exhausted', remaining: 500, shares: 500, claimsQueued: 500 });
    expect(lines[0]?.queued).toBe(500);
    const last = lines.at(-1);
    expect(last).toMatchObject({ status: 'exhausted', remaining: 0, shares: 0, claimsQueued: 0, dlq: '0' });
    // Draining: shares only go down, some reads were taken mid-way, and a rate was shown.
    for (let i = 1; i < lines.length; i++) {
      expect(lines[i]?.shares).toBeLessThanOrEqual(lines[i - 1]?.shares ?? 0);
    }
    expect(lines.some((l) => l.shares === 300 && l.claimsQueued === 300 && l.queued === 300)).toBe(true);
    expect(Math.max(...lines.map((l) => l.paidPerSecond))).toBeGreaterThan(0);
    expect(run.stderr).toContain(`${packetId} is exhausted: nothing more to pay`);
    expect((await rp.reconcile(packetId)).ok).toBe(true);
  }, 60_000);

  it('the control: a packet nobody drains keeps it watching; SIGINT stops it with exit 1, the DLQ depth shown', async () => {
    const rp = createRedPackets(redis.client());
    const { packetId } = await fundedPacket(rp, { totalAmount: 1000, count: 10 });
    await acceptClaim(rp.context, sqs.queue, packetId, 'alice');
    await sqs.sqs.send(
      new SendMessageCommand({ QueueUrl: sqs.queues.deadLetterQueueUrl, MessageBody: '{"v":1}' }),
    );
    const watch = spawnCli(['packets', 'watch', '--packet', packetId, '--interval', '200'], env());
    await waitFor(() => stdoutOf(watch).split('\n').length > 3);

    watch.child.kill('SIGINT');
    const run = await watch.done;

    expect(run.code).toBe(1);
    expect(run.stderr).toContain('stopped');
    const lines = parse(run.stdout);
    expect(lines.length).toBeGreaterThanOrEqual(3);
    for (const line of lines) {
      expect(line).toMatchObject({ status: 'open', shares: 10, claimsQueued: 1, dlq: '1' });
    }
  }, 30_000);

  it('an unknown packet: exit 2 at once, nothing watched', async () => {
    const run = await spawnCli(['packets', 'watch', '--packet', 'pk_nope'], env()).done;
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
  });
});

describe('watchPacket on a terminal', () => {
  it('redraws its block in place: each draw after the first moves up over the previous one and clears', async () => {
    const rp = createRedPackets(redis.client());
    const { packetId } = await fundedPacket(rp, { totalAmount: 1000, count: 10 });
    const writes: string[] = [];
    const stop = new AbortController();
    const out = {
      isTTY: true,
      write: (chunk: string) => {
        writes.push(chunk);
        if (writes.length === 3) stop.abort();
      },
    };

    const result = await watchPacket(rp.context, packetId, { out, intervalMs: 50, signal: stop.signal });

    expect(result.done).toBe(false);
    expect(writes).toHaveLength(3);
    const height = writes[0]?.split('\n').length ?? 0;
    expect(writes[0]).not.toContain('\x1b[');
    expect(writes[0]).toContain(`packet ${packetId} (open)`);
    for (const later of writes.slice(1)) expect(later.startsWith(`\x1b[${height - 1}F\x1b[J`)).toBe(true);
  });
});

const outputs = new WeakMap<object, string>();
/** What a spawned CLI wrote to stdout so far. */
function stdoutOf(cli: ReturnType<typeof spawnCli>): string {
  if (!outputs.has(cli)) {
    outputs.set(cli, '');
    cli.child.stdout?.on('data', (chunk: Buffer) => outputs.set(cli, `${outputs.get(cli)}${chunk}`));
  }
  return outputs.get(cli) ?? '';
}

async function waitFor(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { startRedisServer } from '../infra/local/redisServer.ts';
import { registerBatch } from '../lib/batches/batchStore.ts';
import { recordBatchItems } from '../lib/batches/recordBatchItems.ts';
import { createRedPackets } from '../lib/packets/index.ts';

/** What a claim and a batch payout cost in Redis memory, and what 10 million claims need. */
export interface MemoryCell {
  items: number;
  /** Bytes of `used_memory` per claim: its record, ledger entry, payees entry (paid claims). */
  bytesPerClaim: number;
  /** Bytes per batch item paid: the same, plus its batch's share. */
  bytesPerPayout: number;
  /** GiB for 10 million paid claims (the packets' share included). */
  tenMillionClaimsGiB: number;
}

/**
 * Pays `items` claims on 100-claim packets, then `items` batch rows in batches of 1,000, on a private
 * redis-server (memory only, nothing else on it), and reads `used_memory` before and after each.
 */
export async function runMemorySuite(options: { items: number }): Promise<MemoryCell> {
  const server = await startRedisServer({ persistence: 'none' });
  const redis = new Redis(server.url);
  try {
    const rp = createRedPackets(redis);
    const used = async () => Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1] ?? 0);
    const deadline = () => ({ deadline: Date.now() + 60_000 });
    const packetFor = async (count: number) =>
      (await rp.fundAndCreatePacket({ totalAmount: count * 100, count }, `op:${randomUUID()}`, randomUUID()))
        .packetId;

    const beforeClaims = await used();
    for (let done = 0; done < options.items; done += 100) {
      const packetId = await packetFor(100);
      const users = Array.from({ length: 100 }, (_, i) => `user-${done + i}`);
      await Promise.all(users.map((u) => rp.recordClaim(packetId, u)));
      await rp.processItems(
        packetId,
        users.map((userId) => ({ kind: 'claim', userId })),
        deadline(),
      );
    }
    const claimsBytes = (await used()) - beforeClaims;

    const beforePayouts = await used();
    for (let done = 0; done < options.items; done += 1000) {
      const packetId = await packetFor(1000);
      const batchId = `mem-${done}`;
      const rows = Array.from({ length: 1000 }, (_, i) => ({ userId: `payee-${done + i}`, amount: 100 }));
      await registerBatch(rp.context, packetId, batchId);
      await recordBatchItems(rp.context, { packetId, batchId, allowRepeatPayees: false }, rows);
      for (let i = 0; i < rows.length; i += 100) {
        await rp.processItems(
          packetId,
          rows.slice(i, i + 100).map((row) => ({ kind: 'payout', batchId, ...row })),
          deadline(),
        );
      }
    }
    const payoutBytes = (await used()) - beforePayouts;
    const bytesPerClaim = claimsBytes / options.items;
    return {
      items: options.items,
      bytesPerClaim,
      bytesPerPayout: payoutBytes / options.items,
      tenMillionClaimsGiB: (bytesPerClaim * 10_000_000) / 2 ** 30,
    };
  } finally {
    redis.disconnect();
    await server.stop();
  }
}

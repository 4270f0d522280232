import { registerBatch } from '../../lib/batches/batchStore.ts';
import { recordBatchItems } from '../../lib/batches/recordBatchItems.ts';
import { claimIdFor, packetKeys, type RedPackets, recordField } from '../../lib/packets/index.ts';

/**
 * Records claims and batch rows the way the accept paths do (the door's script, the batch submission's
 * script), without sending messages: tests that drive `processItems` directly use it, since the consumer
 * pays only what was accepted.
 */
export async function recordClaims(rp: RedPackets, packetId: string, users: Iterable<string>): Promise<void> {
  for (const userId of new Set(users)) await rp.recordClaim(packetId, userId);
}

/**
 * Records claims with no share reserved for them, as the door recorded claims before it reserved shares
 * (records of that time are still decided): the consumer pays them only from shares nobody holds and
 * rejects the rest as `exhausted`. The lock races use them to put more claimers than shares in front of
 * the consumer, which the door itself no longer lets through.
 */
export async function recordUnreservedClaims(
  rp: RedPackets,
  packetId: string,
  users: Iterable<string>,
): Promise<void> {
  const requestedAt = rp.context.now();
  const fields = [...new Set(users)].flatMap((userId) => [
    recordField({ kind: 'claim', userId }),
    JSON.stringify({
      id: claimIdFor(packetId, userId),
      kind: 'claim',
      userId,
      status: 'queued',
      requestedAt,
    }),
  ]);
  if (fields.length > 0)
    await rp.context.redis.hset(packetKeys(rp.context.keyPrefix, packetId).claims, ...fields);
}

/** Records `rows` as items of batch `batchId` of `packetId`; resolves each row's recording outcome. */
export async function recordBatch(
  rp: RedPackets,
  packetId: string,
  batchId: string,
  rows: ReadonlyArray<{ userId: string; amount: number }>,
  allowRepeatPayees = false,
) {
  await registerBatch(rp.context, packetId, batchId);
  return recordBatchItems(rp.context, { packetId, batchId, allowRepeatPayees }, rows);
}

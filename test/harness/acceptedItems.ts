import { registerBatch } from '../../lib/batches/batchStore.ts';
import { recordBatchItems } from '../../lib/batches/recordBatchItems.ts';
import type { RedPackets } from '../../lib/packets/index.ts';

/**
 * Records claims and batch rows the way the accept paths do (the door's script, the batch submission's
 * script), without sending messages: tests that drive `processItems` directly use it, since the consumer
 * pays only what was accepted.
 */
export async function recordClaims(rp: RedPackets, packetId: string, users: Iterable<string>): Promise<void> {
  for (const userId of new Set(users)) await rp.recordClaim(packetId, userId);
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

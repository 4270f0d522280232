import { setTimeout as sleep } from 'node:timers/promises';
import { readBatchStatus } from '../../lib/batches/batchStore.ts';
import { packetKeys, parseClaimId, type RedPackets } from '../../lib/packets/index.ts';

/**
 * Waits until every listed claim is paid or rejected and every batch of the listed packets is fully
 * decided, re-reading Redis (never rebuilding anything); rejects with what is still open after `timeoutMs`.
 */
export async function settled(
  rp: RedPackets,
  claims: Record<string, readonly string[]>,
  batchPackets: readonly string[],
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open: string[] = [];
    for (const ids of Object.values(claims)) {
      for (const claimId of ids) {
        const claim = await rp.readClaim(claimId).catch(() => null);
        if (claim?.status !== 'paid' && claim?.status !== 'rejected') open.push(claimId);
      }
    }
    for (const packetId of batchPackets) {
      const batchIds = await rp.context.redis
        .smembers(packetKeys(rp.context.keyPrefix, packetId).batches)
        .catch(() => []);
      if (batchIds.length === 0) open.push(`${packetId}: no batch`);
      for (const batchId of batchIds) {
        const status = await readBatchStatus(rp.context, batchId).catch(() => null);
        if (!status || status.queued > 0) open.push(`batch ${batchId}: ${status?.queued ?? '?'} queued`);
      }
    }
    if (open.length === 0) return;
    if (Date.now() > deadline)
      throw new Error(`not settled after ${timeoutMs} ms: ${open.slice(0, 5).join(', ')}…`);
    await sleep(100);
  }
}

/**
 * What Redis now holds for an acknowledged payout keyed `<packetId> <claimId | batchId/userId>`: the paid
 * amount of its record, or `undefined` when it is not (or no longer) paid.
 */
export async function storedPayout(rp: RedPackets, key: string): Promise<number | undefined> {
  const [packetId = '', id = ''] = key.split(' ');
  const claim = parseClaimId(id);
  const field = claim ? `u:${claim.userId}` : `b:${id}`;
  const raw = await rp.context.redis
    .hget(packetKeys(rp.context.keyPrefix, packetId).claims, field)
    .catch(() => null);
  const record = raw ? (JSON.parse(raw) as { status?: string; amount?: number }) : null;
  return record?.status === 'paid' ? record.amount : undefined;
}

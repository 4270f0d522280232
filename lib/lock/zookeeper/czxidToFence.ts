import { LockFenceError } from '../errors.ts';

/**
 * The fencing token of a ZooKeeper lease: the creation zxid (`czxid`) of its znode, which only grows across
 * holders (every write to the ensemble gets a higher zxid, and a later holder's znode was created later).
 * A zxid is 64 bits, `epoch << 32 | counter`, so it fits a safe integer (2^53) while the leader epoch stays
 * below 2^21, that is for two million leader elections; past that this throws `LockFenceError` rather
 * than round.
 */
export function czxidToFence(resource: string, czxid: Buffer): number {
  if (czxid.length !== 8) throw new LockFenceError(resource, czxid.toString('hex'), 'a zxid has 8 bytes');
  const zxid = czxid.readBigUInt64BE(0);
  if (zxid > BigInt(Number.MAX_SAFE_INTEGER) || zxid <= 0n) {
    throw new LockFenceError(resource, zxid.toString(), 'outside 1 .. 2^53 - 1');
  }
  return Number(zxid);
}

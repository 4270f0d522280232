import { packetKeys, type RedisClient } from '../lib/packets/index.ts';

/** Far more than any packet's count (at most 10^6): the door never finds the counter at `count`. */
const OFFSET = 1_000_000_000;

/**
 * The door as it was before grab-then-open, for the bench's side-by-side rows and the tests' controls,
 * without a switch in the production code: lowers the packet's `reserved` counter by 10^9, so the door
 * never finds every share taken and admits claims for as long as the packet has money and shares left
 * unpaid (its remaining check: what the door decided from before), while the consumers reject what comes
 * after the last share as `exhausted`. The consumer path is unchanged (a claim's reservation is only ever
 * given back).
 *
 * Resolves a function that puts the offset back: once every admitted claim is decided, each rejected one
 * has given its share back, so the counter then equals the paid shares and reconcile holds.
 */
export async function withoutReservations(
  redis: RedisClient,
  packetId: string,
  keyPrefix = 'rp:',
): Promise<() => Promise<void>> {
  const key = packetKeys(keyPrefix, packetId).packet;
  await redis.hincrby(key, 'reserved', -OFFSET);
  return async () => {
    await redis.hincrby(key, 'reserved', OFFSET);
  };
}

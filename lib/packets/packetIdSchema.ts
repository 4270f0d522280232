import * as z from '../z.ts';

/** A packet id without anchors, to compose into longer ids (a claim id starts with one). */
export const PACKET_ID_SOURCE = 'pk_[A-Za-z0-9_-]{1,64}';

/** Packet ids as `newPacketId()` makes them; anything else cannot name a packet. */
export const PACKET_ID_PATTERN = new RegExp(`^${PACKET_ID_SOURCE}$`);

/** Whether `value` has the form of a packet id (it may still name no packet). */
export const isPacketId = (value: unknown): value is string =>
  typeof value === 'string' && PACKET_ID_PATTERN.test(value);

/** A packet id in a request or a queue message: {@link PACKET_ID_PATTERN}. */
export const packetIdSchema = z.string().check(z.regex(PACKET_ID_PATTERN, 'is not a packet id'));

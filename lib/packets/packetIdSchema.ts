/** Packet ids as `newPacketId()` makes them; anything else cannot name a packet. */
export const PACKET_ID_PATTERN = /^pk_[A-Za-z0-9_-]{1,64}$/;

export const isPacketId = (value: unknown): value is string =>
  typeof value === 'string' && PACKET_ID_PATTERN.test(value);

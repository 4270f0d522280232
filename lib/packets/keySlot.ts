/**
 * Redis Cluster's key → slot mapping (CRC16-XMODEM of the key's hash tag, modulo 16384), so that the
 * domain can place a packet in the same slot as its owner's account: the one script that creates a packet
 * also debits the account, and on a cluster a script may only touch keys of one slot.
 */
const TABLE = (() => {
  const table = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i << 8;
    for (let bit = 0; bit < 8; bit++)
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    table[i] = crc;
  }
  return table;
})();

/** One byte more of a CRC16-XMODEM. */
export const crcByte = (crc: number, byte: number): number =>
  ((crc << 8) & 0xffff) ^ (TABLE[((crc >> 8) ^ byte) & 0xff] as number);

/** CRC16-XMODEM of `bytes`, continuing from `crc`. */
export function crc16(bytes: Uint8Array, crc = 0): number {
  let c = crc;
  for (const byte of bytes) c = crcByte(c, byte);
  return c;
}

/** The part of `key` Redis hashes: the first non-empty `{…}`, else the whole key. */
export function hashTag(key: string): string {
  const open = key.indexOf('{');
  if (open < 0) return key;
  const close = key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : key;
}

/** The cluster slot of `key` (0-16383), as `CLUSTER KEYSLOT` computes it. */
export function keySlot(key: string): number {
  return crc16(new TextEncoder().encode(hashTag(key))) & 0x3fff;
}

/** Big-endian (network order) reads straight from the frame bytes: no DataView per packet. Callers check bounds. */

export function readU16(b: Uint8Array, o: number): number {
  return (b[o] << 8) | b[o + 1];
}

/** Unsigned 32-bit: the top byte is multiplied, not shifted, so the result never goes negative. */
export function readU32(b: Uint8Array, o: number): number {
  return b[o] * 0x1000000 + ((b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]);
}

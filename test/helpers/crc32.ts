/**
 * CRC-32 (ISO-HDLC / IEEE 802.3: reflected polynomial 0xEDB88320, initial value and final XOR 0xFFFFFFFF), the
 * checksum zlib's crc32() computes and tshark prints as `nfs.fh.hash` (`0x%08x` of the handle bytes). Node 20's
 * zlib has no crc32(), so tests use this one to compare handles with tshark's .tsv.
 */

/** The 256-entry table, built once; frozen so no caller can change it. */
const TABLE: readonly number[] = Object.freeze(
  Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  }),
);

/** CRC-32 of `bytes` as an unsigned 32-bit number. `crc32(Buffer.from('123456789'))` is 0xcbf43926. */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** tshark's `nfs.fh.hash` text for handle bytes: `0x` and 8 lowercase hex digits. */
export function fhHashText(bytes: Uint8Array): string {
  return `0x${crc32(bytes).toString(16).padStart(8, '0')}`;
}

/** Hex text of bytes: lowercase for JSON and keys, uppercase as snoop prints opaque data. Views, no copies. */
export function hexLower(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

export function hexUpper(b: Uint8Array): string {
  return hexLower(b).toUpperCase();
}

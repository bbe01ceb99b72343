import { readU16 } from './bytes';
import type { DecodeOutcome } from './decode-outcome';
import { ETHERTYPE_QINQ, ETHERTYPE_QINQ_OLD, ETHERTYPE_VLAN, type LinkLayer } from './link-types';

/**
 * Follow an EtherType through any stack of VLAN tags (IEEE 802.1Q C-tags 0x8100, 802.1ad S-tags 0x88a8 and the
 * pre-standard 0x9100), writing the VLAN ids outermost first, the final EtherType and the offset of what follows.
 *
 * `off` is where the tag's Tag Control Information starts, i.e. just after the EtherType `etherType` that was
 * read there. Each tag is TCI (PCP:3 DEI:1 VID:12) + the next EtherType: 4 bytes (802.1Q-2018 §9.6).
 * Shared by Ethernet and Linux cooked captures (whose protocol field is an EtherType and may announce a tag
 * when the kernel did not strip it).
 */
export function decodeEtherType(bytes: Uint8Array, off: number, etherType: number, out: LinkLayer): DecodeOutcome {
  let vlan: number[] | null = null;
  while (etherType === ETHERTYPE_VLAN || etherType === ETHERTYPE_QINQ || etherType === ETHERTYPE_QINQ_OLD) {
    // Each iteration consumes 4 bytes, so the loop is bounded by the frame length.
    if (off + 4 > bytes.length) return 'frame_truncated';
    const vid = ((bytes[off] & 0x0f) << 8) | bytes[off + 1];
    if (vlan === null) vlan = [vid];
    else vlan.push(vid);
    etherType = readU16(bytes, off + 2);
    off += 4;
  }
  out.etherType = etherType;
  out.offset = off;
  out.vlan = vlan;
  return 'ok';
}

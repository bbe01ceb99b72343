import { readU16 } from './bytes';
import type { DecodeOutcome } from './decode-outcome';
import type { LinkLayer } from './link-types';
import { decodeEtherType } from './vlan-tags';

/** Destination MAC (6) + source MAC (6) + EtherType/length (2). */
export const ETHERNET_HEADER_LENGTH = 14;

/**
 * LINKTYPE_ETHERNET (1): Ethernet II, possibly VLAN-tagged. The frame may end with padding (frames are at least
 * 60 bytes) or an FCS; the network layer trusts its own length field, not the frame length.
 *
 * A type/length field <= 1500 is an IEEE 802.3 length followed by LLC: never IP in practice (IP over 802.2 SNAP
 * is obsolete, RFC 1042), so such frames are skipped like any other non-IP EtherType.
 */
export function decodeEthernet(bytes: Uint8Array, out: LinkLayer): DecodeOutcome {
  if (bytes.length < ETHERNET_HEADER_LENGTH) return 'frame_truncated';
  const typeOrLength = readU16(bytes, 12);
  if (typeOrLength <= 1500) return 'skip';
  return decodeEtherType(bytes, ETHERNET_HEADER_LENGTH, typeOrLength, out);
}

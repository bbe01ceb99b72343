import { decodeBsdLoop, decodeBsdNull } from './bsd-loopback';
import type { DecodeOutcome } from './decode-outcome';
import { decodeEthernet } from './ethernet';
import { decodeLinuxSll, decodeLinuxSll2 } from './linux-sll';
import {
  ETHERTYPE_IPV4,
  ETHERTYPE_IPV6,
  LINKTYPE_ETHERNET,
  LINKTYPE_IPV4,
  LINKTYPE_IPV6,
  LINKTYPE_LINUX_SLL,
  LINKTYPE_LINUX_SLL2,
  LINKTYPE_LOOP,
  LINKTYPE_NULL,
  LINKTYPE_RAW,
  LINKTYPE_RAW_BSD,
  LINKTYPE_RAW_OPENBSD,
  type LinkLayer,
} from './link-types';
import { decodeRawIp, decodeRawIpOf } from './raw-ip';

/**
 * Decode the link layer of a frame by its LINKTYPE_* value (per frame: pcapng interfaces may differ).
 * Returns 'unknown_link_type' for a link type we do not decode (counted by the caller, not fatal).
 */
export function decodeLink(linkType: number, bytes: Uint8Array, out: LinkLayer): DecodeOutcome {
  switch (linkType) {
    case LINKTYPE_ETHERNET:
      return decodeEthernet(bytes, out);
    case LINKTYPE_LINUX_SLL:
      return decodeLinuxSll(bytes, out);
    case LINKTYPE_LINUX_SLL2:
      return decodeLinuxSll2(bytes, out);
    case LINKTYPE_NULL:
      return decodeBsdNull(bytes, out);
    case LINKTYPE_LOOP:
      return decodeBsdLoop(bytes, out);
    case LINKTYPE_RAW:
    case LINKTYPE_RAW_BSD:
    case LINKTYPE_RAW_OPENBSD:
      return decodeRawIp(bytes, out);
    case LINKTYPE_IPV4:
      return decodeRawIpOf(ETHERTYPE_IPV4, out);
    case LINKTYPE_IPV6:
      return decodeRawIpOf(ETHERTYPE_IPV6, out);
    default:
      return 'unknown_link_type';
  }
}

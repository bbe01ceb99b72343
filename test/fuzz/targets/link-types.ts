/** The link types the packet decoder knows (net/link-layer.ts), for targets whose first byte picks one. */
import {
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
} from '../../../src/net/link-types';

export const KNOWN_LINK_TYPES: readonly number[] = [
  LINKTYPE_NULL,
  LINKTYPE_ETHERNET,
  LINKTYPE_RAW_BSD,
  LINKTYPE_RAW_OPENBSD,
  LINKTYPE_RAW,
  LINKTYPE_LOOP,
  LINKTYPE_LINUX_SLL,
  LINKTYPE_IPV4,
  LINKTYPE_IPV6,
  LINKTYPE_LINUX_SLL2,
];

/** The selector byte for a link type: its index, or the raw value when unknown (decoded as unknown). */
export function linkSelector(linkType: number): number {
  const i = KNOWN_LINK_TYPES.indexOf(linkType);
  return i >= 0 ? i : 255;
}

/** The link type a selector byte picks: a known one, or (beyond the list) the byte itself as an unknown type. */
export function linkTypeOf(selector: number): number {
  return selector < KNOWN_LINK_TYPES.length ? KNOWN_LINK_TYPES[selector] : selector;
}

/**
 * Link-layer vocabulary shared by the link decoders: LINKTYPE_* values as stored in pcap/pcapng files
 * (https://www.tcpdump.org/linktypes.html), the EtherTypes we follow (IEEE Registration Authority list,
 * https://standards-oui.ieee.org/ethertype/eth.txt) and the result every link decoder writes.
 */

export const LINKTYPE_NULL = 0; // BSD loopback: 4-byte address family in the capturing host's byte order
export const LINKTYPE_ETHERNET = 1; // Ethernet II / 802.3
/** DLT_RAW as some platforms wrote it into files before LINKTYPE_RAW existed (12 on most BSDs, 14 on OpenBSD). */
export const LINKTYPE_RAW_BSD = 12;
export const LINKTYPE_RAW_OPENBSD = 14;
export const LINKTYPE_RAW = 101; // raw IPv4 or IPv6, told apart by the version nibble
export const LINKTYPE_LOOP = 108; // OpenBSD loopback: like NULL but the family is in network byte order
export const LINKTYPE_LINUX_SLL = 113; // Linux cooked capture v1 ("any" device), 16-byte header
export const LINKTYPE_IPV4 = 228; // raw IPv4 only
export const LINKTYPE_IPV6 = 229; // raw IPv6 only
export const LINKTYPE_LINUX_SLL2 = 276; // Linux cooked capture v2, 20-byte header

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_IPV6 = 0x86dd;
/** IEEE 802.1Q customer VLAN tag (C-tag). */
export const ETHERTYPE_VLAN = 0x8100;
/** IEEE 802.1ad service VLAN tag (S-tag, "QinQ" outer tag). */
export const ETHERTYPE_QINQ = 0x88a8;
/** Pre-standard QinQ outer tag used by older switches (Cisco, Juniper) before 802.1ad assigned 0x88a8. */
export const ETHERTYPE_QINQ_OLD = 0x9100;

/** What a link decoder found; written into a caller-owned object so decoding a frame allocates nothing. */
export interface LinkLayer {
  /** EtherType of the network-layer payload after any VLAN tags (ETHERTYPE_IPV4, ETHERTYPE_IPV6 or other). */
  etherType: number;
  /** Offset of the network-layer header in the frame. */
  offset: number;
  /** VLAN ids, outermost first; null when the frame carries no tag (the common case allocates nothing). */
  vlan: number[] | null;
}

export function newLinkLayer(): LinkLayer {
  return { etherType: 0, offset: 0, vlan: null };
}

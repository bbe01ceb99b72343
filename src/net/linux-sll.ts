import { readU16 } from './bytes';
import type { DecodeOutcome } from './decode-outcome';
import type { LinkLayer } from './link-types';
import { decodeEtherType } from './vlan-tags';

/*
 * Linux "cooked" captures, what libpcap writes for the "any" device (and devices without a usable link header).
 * The protocol field is an EtherType for ordinary network devices; for ARPHRD_NETLINK it is a netlink family
 * instead, and values below 0x0600 are Linux pseudo-protocols (ETH_P_802_2 LLC, ETH_P_802_3, ...): neither is IP.
 * VLAN tags can still be present when the device did not strip them, so the EtherType walk is the Ethernet one.
 */

/** ARPHRD_NETLINK (linux/if_arp.h): nlmon captures, whose protocol field is a netlink family, not an EtherType. */
const ARPHRD_NETLINK = 824;

/**
 * LINKTYPE_LINUX_SLL (113), https://www.tcpdump.org/linktypes/LINKTYPE_LINUX_SLL.html:
 * packet type (2), ARPHRD type (2), link-layer address length (2), address (8), protocol (2) at offset 14.
 */
export const SLL_HEADER_LENGTH = 16;

export function decodeLinuxSll(bytes: Uint8Array, out: LinkLayer): DecodeOutcome {
  if (bytes.length < SLL_HEADER_LENGTH) return 'frame_truncated';
  const arphrd = readU16(bytes, 2);
  const protocol = readU16(bytes, 14);
  return cookedPayload(bytes, SLL_HEADER_LENGTH, arphrd, protocol, out);
}

/**
 * LINKTYPE_LINUX_SLL2 (276), https://www.tcpdump.org/linktypes/LINKTYPE_LINUX_SLL2.html:
 * protocol (2) at offset 0, reserved (2), interface index (4), ARPHRD type (2) at 8, packet type (1),
 * address length (1), address (8).
 */
export const SLL2_HEADER_LENGTH = 20;

export function decodeLinuxSll2(bytes: Uint8Array, out: LinkLayer): DecodeOutcome {
  if (bytes.length < SLL2_HEADER_LENGTH) return 'frame_truncated';
  const protocol = readU16(bytes, 0);
  const arphrd = readU16(bytes, 8);
  return cookedPayload(bytes, SLL2_HEADER_LENGTH, arphrd, protocol, out);
}

function cookedPayload(
  bytes: Uint8Array,
  off: number,
  arphrd: number,
  protocol: number,
  out: LinkLayer,
): DecodeOutcome {
  if (arphrd === ARPHRD_NETLINK || protocol < 0x0600) return 'skip';
  return decodeEtherType(bytes, off, protocol, out);
}

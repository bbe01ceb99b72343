import type { DecodeOutcome } from './decode-outcome';
import { ETHERTYPE_IPV4, ETHERTYPE_IPV6, type LinkLayer } from './link-types';

/*
 * BSD loopback encapsulations (https://www.tcpdump.org/linktypes/LINKTYPE_NULL.html and LINKTYPE_LOOP.html):
 * a 4-byte address family, then the IP datagram. The AF_ values differ between systems:
 * AF_INET is 2 everywhere, AF_INET6 is 24 (NetBSD, OpenBSD, BSD/OS), 28 (FreeBSD, DragonFly) or 30 (macOS, iOS);
 * a capture file may come from any of them, so all three are accepted.
 */

export const LOOPBACK_HEADER_LENGTH = 4;

const AF_INET = 2;

function familyEtherType(af: number): number {
  if (af === AF_INET) return ETHERTYPE_IPV4;
  if (af === 24 || af === 28 || af === 30) return ETHERTYPE_IPV6;
  return -1;
}

/**
 * LINKTYPE_NULL (0): the family is in the byte order of the host that captured, which the file does not record.
 * Read it both ways: every family value we accept is < 256, so at most one reading can match (a value < 256 read
 * in the other order is >= 2^24).
 */
export function decodeBsdNull(bytes: Uint8Array, out: LinkLayer): DecodeOutcome {
  if (bytes.length < LOOPBACK_HEADER_LENGTH) return 'frame_truncated';
  let etherType = -1;
  if (bytes[1] === 0 && bytes[2] === 0 && bytes[3] === 0) etherType = familyEtherType(bytes[0]); // little-endian
  else if (bytes[0] === 0 && bytes[1] === 0 && bytes[2] === 0) etherType = familyEtherType(bytes[3]); // big-endian
  return loopbackPayload(etherType, out);
}

/** LINKTYPE_LOOP (108): OpenBSD's variant, the family always in network (big-endian) byte order. */
export function decodeBsdLoop(bytes: Uint8Array, out: LinkLayer): DecodeOutcome {
  if (bytes.length < LOOPBACK_HEADER_LENGTH) return 'frame_truncated';
  const etherType = bytes[0] === 0 && bytes[1] === 0 && bytes[2] === 0 ? familyEtherType(bytes[3]) : -1;
  return loopbackPayload(etherType, out);
}

function loopbackPayload(etherType: number, out: LinkLayer): DecodeOutcome {
  if (etherType < 0) return 'skip'; // another family (AF_ISO, AF_APPLETALK, ...): not IP
  out.etherType = etherType;
  out.offset = LOOPBACK_HEADER_LENGTH;
  out.vlan = null;
  return 'ok';
}

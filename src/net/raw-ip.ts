import type { DecodeOutcome } from './decode-outcome';
import { ETHERTYPE_IPV4, ETHERTYPE_IPV6, type LinkLayer } from './link-types';

/**
 * LINKTYPE_RAW (101, and DLT_RAW as 12 / 14 in files from some BSDs): the frame is an IP datagram with no link
 * header; the version nibble says IPv4 or IPv6 (https://www.tcpdump.org/linktypes/LINKTYPE_RAW.html).
 * A first nibble other than 4 or 6 is not an IP header at all.
 */
export function decodeRawIp(bytes: Uint8Array, out: LinkLayer): DecodeOutcome {
  if (bytes.length < 1) return 'frame_truncated';
  const version = bytes[0] >> 4;
  if (version === 4) return rawPayload(ETHERTYPE_IPV4, out);
  if (version === 6) return rawPayload(ETHERTYPE_IPV6, out);
  return 'bad_ip_header';
}

/**
 * LINKTYPE_IPV4 (228) and LINKTYPE_IPV6 (229): raw IP of one fixed version. The IP decoder checks the version
 * nibble against it (a mismatch is a bad header, not a silent switch of version).
 */
export function decodeRawIpOf(etherType: number, out: LinkLayer): DecodeOutcome {
  return rawPayload(etherType, out);
}

function rawPayload(etherType: number, out: LinkLayer): DecodeOutcome {
  out.etherType = etherType;
  out.offset = 0;
  out.vlan = null;
  return 'ok';
}

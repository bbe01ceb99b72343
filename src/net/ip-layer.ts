import type { Anomaly } from '../anomaly';

/** IP protocol numbers we follow (IANA "Assigned Internet Protocol Numbers"). */
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;

/** What the IPv4 and IPv6 decoders found; written into a caller-owned object (no allocation per packet). */
export interface IpLayer {
  version: 4 | 6;
  src: string;
  dst: string;
  /** IPv4 Protocol, or for IPv6 the Next Header value the extension-header walk stopped at (for a fragment: the
   *  Next Header of its Fragment header). */
  protocol: number;
  /** Offset of the upper-layer header, or of the fragment data for a fragment. */
  payloadOffset: number;
  /** End of the captured bytes of the datagram: <= bytes.length, and < payloadOffset + payloadLength when cut. */
  capturedEnd: number;
  /** Length on the wire of everything from payloadOffset to the end of the datagram, from the length fields. */
  payloadLength: number;
  /** A problem that does not stop decoding: 'frame_truncated' (the snaplen cut the datagram) or
   *  'bad_ip_length' (the length field claims more bytes than the frame had on the wire); otherwise null. */
  note: Anomaly | null;
  /** True for a real fragment (offset != 0 or more-fragments set); atomic fragments (RFC 6946) are not. */
  fragmented: boolean;
  /** Fragment offset in bytes. */
  fragOffset: number;
  moreFragments: boolean;
  /** IPv4 Identification (16 bits) or IPv6 Fragment header Identification (32 bits). */
  fragId: number;
  /** Bytes that the datagram's 16-bit length field counts in front of the fragment data: the IPv4 header
   *  (Total Length includes it) or the IPv6 extension headers before the Fragment header (Payload Length includes
   *  them). A reassembled datagram may have at most 65535 - fragHeaderBytes bytes of fragment data. */
  fragHeaderBytes: number;
  /** IPv4 address texts formatted into this object, a direct-mapped cache of V4_CACHE_SIZE slots: the 32-bit
   *  address of each slot (-1 for none) and its text. Packets repeat their conversations' addresses, and many
   *  conversations interleave in a busy capture (a two-entry cache missed on most packets of 32 interleaved
   *  conversations), so decodeIpv4 reuses the strings instead of building two per packet. */
  v4Keys: Float64Array;
  v4Texts: string[];
}

/** Slots of a decoder's IpLayer address cache (a power of two). */
export const V4_CACHE_SIZE = 1024;

/** `cacheSlots` (a power of two): the address cache's size; a layer decoded once (formatting) needs one slot. */
export function newIpLayer(cacheSlots = V4_CACHE_SIZE): IpLayer {
  return {
    version: 4,
    src: '',
    dst: '',
    protocol: 0,
    payloadOffset: 0,
    capturedEnd: 0,
    payloadLength: 0,
    note: null,
    fragmented: false,
    fragOffset: 0,
    moreFragments: false,
    fragId: 0,
    fragHeaderBytes: 0,
    v4Keys: new Float64Array(cacheSlots).fill(-1),
    v4Texts: new Array<string>(cacheSlots).fill(''),
  };
}

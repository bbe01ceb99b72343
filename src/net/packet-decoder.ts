import type { Anomaly } from '../anomaly';
import type { RawFrame } from '../capture/raw-frame';
import type { DecodeOutcome } from './decode-outcome';
import { IpDefragmenter, type ReassembledDatagram } from './ip-defrag';
import { IPPROTO_TCP, IPPROTO_UDP, newIpLayer, type IpLayer } from './ip-layer';
import { decodeIpv4 } from './ipv4';
import { decodeIpv6, walkIpv6ExtensionHeaders } from './ipv6';
import type { L4Packet, Transport } from './l4-packet';
import { decodeLink } from './link-layer';
import { ETHERTYPE_IPV4, ETHERTYPE_IPV6, newLinkLayer, type LinkLayer } from './link-types';
import { decodeTcp } from './tcp';
import { newTransportLayer, type TransportLayer } from './transport-layer';
import { decodeUdp } from './udp';

export interface PacketDecoderOptions {
  /** IP datagrams being reassembled at once (default 1024). */
  maxFragmentDatagrams?: number;
  /** Capture-time seconds after which an incomplete IP datagram is given up (default 30). */
  fragmentTimeoutSec?: number;
  /** Largest reassembled IP datagram, as its length field counts it (default 65535). */
  maxReassembledSize?: number;
}

/*
 * Shared, frozen empty arrays for the (usual) untagged, anomaly-free packet, so that decoding one allocates no
 * array but `frames`. Frozen: a consumer that tried to push into them would fail loudly instead of corrupting
 * every other packet. Treat L4Packet.vlan and .anomalies as read-only.
 */
const NO_VLAN = Object.freeze([]) as unknown as number[];
const NO_ANOMALIES = Object.freeze([]) as unknown as Anomaly[];

/**
 * RawFrame -> L4Packet: the link, IP and UDP/TCP decoders run into scratch objects owned by this instance (no
 * allocation per layer), and the only state is the IP fragment table.
 *
 * Anomalies: every anomaly this decoder meets is counted once in `counters`, whether it stopped a frame (a bad or
 * cut header, an unknown link type), is attached to a returned packet (`anomalies`), or concerns fragments that
 * never made a packet. Frames that are simply not UDP/TCP over IP (ARP, ICMP, ESP, ...) return null and count
 * nothing.
 *
 * Bytes: a packet's payload is a view of frame.bytes, except for a reassembled datagram, whose payload is a view
 * of the one buffer the reassembler filled.
 */
export class PacketDecoder {
  /** Anomalies counted by name (only names that occurred are present). */
  readonly counters: Partial<Record<Anomaly, number>> = {};
  private readonly link: LinkLayer = newLinkLayer();
  private readonly ip: IpLayer = newIpLayer();
  private readonly tp: TransportLayer = newTransportLayer();
  private readonly defrag: IpDefragmenter;

  constructor(opts: PacketDecoderOptions = {}) {
    this.defrag = new IpDefragmenter((anomaly) => this.count(anomaly), {
      maxDatagrams: opts.maxFragmentDatagrams,
      timeoutSec: opts.fragmentTimeoutSec,
      maxDatagramSize: opts.maxReassembledSize,
    });
  }

  /** IP datagrams currently waiting for fragments. */
  get fragmentsInProgress(): number {
    return this.defrag.size;
  }

  /**
   * Decode one frame. Returns the UDP datagram or TCP segment it carries, or null when it carries none (not IP,
   * not UDP/TCP, undecodable, or an IP fragment that did not complete a datagram). Never throws on frame
   * contents. Frames must come in capture order (fragment timeouts run on capture time).
   */
  decode(frame: RawFrame): L4Packet | null {
    this.defrag.expire(frame.ts);
    const bytes = frame.bytes;
    const link = this.link;
    let outcome = decodeLink(frame.linkType, bytes, link);
    if (outcome !== 'ok') return this.drop(outcome);

    // Where the frame ended on the wire: beyond bytes.length when the snaplen cut it.
    const wireEnd = frame.origLen > bytes.length ? frame.origLen : bytes.length;
    const ip = this.ip;
    if (link.etherType === ETHERTYPE_IPV4) outcome = decodeIpv4(bytes, link.offset, wireEnd, ip);
    else if (link.etherType === ETHERTYPE_IPV6) outcome = decodeIpv6(bytes, link.offset, wireEnd, ip);
    else return null;
    if (outcome !== 'ok') return this.drop(outcome);

    if (!ip.fragmented) {
      const { payloadOffset, capturedEnd } = ip;
      return this.transport(frame, bytes, ip.protocol, payloadOffset, capturedEnd, ip.payloadLength, ip.note, null);
    }

    // IPv4 repeats the protocol in every fragment: fragments of what we would not decode are not buffered at all.
    // (IPv6 names the upper layer only in the first fragment, possibly after more extension headers.)
    if (ip.version === 4 && ip.protocol !== IPPROTO_UDP && ip.protocol !== IPPROTO_TCP) return null;
    if (ip.note !== null) this.count(ip.note);
    const whole = this.defrag.add(ip, bytes, frame.frameNo, frame.ts);
    if (whole === null) return null;
    const data = whole.data;
    if (whole.version === 4) {
      return this.transport(frame, data, whole.protocol, 0, data.length, whole.length, null, whole);
    }
    // IPv6: the fragmentable part may begin with more extension headers (RFC 8200 §4.5); `ip` keeps the last
    // fragment's addresses, which are the datagram's.
    ip.note = data.length < whole.length ? 'frame_truncated' : null;
    outcome = walkIpv6ExtensionHeaders(data, 0, data.length, whole.length, whole.protocol, ip);
    if (outcome === 'ok' && ip.fragmented) outcome = 'bad_ip_header'; // a Fragment header inside a fragment
    if (outcome !== 'ok') return this.dropReassembled(outcome, whole.anomalies);
    return this.transport(frame, data, ip.protocol, ip.payloadOffset, data.length, ip.payloadLength, null, whole);
  }

  /** End of capture: datagrams still missing fragments are counted as 'ip_fragment_incomplete'. */
  finish(): void {
    this.defrag.finish();
  }

  /**
   * Decode the UDP/TCP header at `off` in `bytes` (captured up to `capEnd`, `wireLength` bytes on the wire) and
   * build the packet, with the addresses in this.ip and the VLAN ids in this.link.
   * @param ipNote the IP layer's non-fatal anomaly for this frame, not yet counted.
   * @param whole the reassembled datagram `bytes` is, else null: its frames, and its anomalies, already counted
   *   (the list is the datagram's own, so the packet may take it over).
   */
  private transport(
    frame: RawFrame,
    bytes: Uint8Array,
    protocol: number,
    off: number,
    capEnd: number,
    wireLength: number,
    ipNote: Anomaly | null,
    whole: ReassembledDatagram | null,
  ): L4Packet | null {
    const noted = whole === null ? null : whole.anomalies;
    const t = this.tp;
    let outcome: DecodeOutcome;
    let transport: Transport;
    if (protocol === IPPROTO_UDP) {
      outcome = decodeUdp(bytes, off, capEnd, wireLength, t);
      transport = 'udp';
    } else if (protocol === IPPROTO_TCP) {
      outcome = decodeTcp(bytes, off, capEnd, wireLength, t);
      transport = 'tcp';
    } else {
      return null; // ICMP, ESP, No Next Header, ...: not ours, nothing to report
    }
    if (outcome !== 'ok') {
      // A transport header cut short is a consequence of the IP-level cut already noted: count the cause once.
      if (ipNote !== null) {
        this.count(ipNote);
        return outcome === 'frame_truncated' ? null : this.drop(outcome);
      }
      return this.dropReassembled(outcome, noted);
    }

    let anomalies = noted ?? NO_ANOMALIES;
    if (ipNote !== null) anomalies = this.attach(anomalies, ipNote);
    if (t.note !== null) anomalies = this.attach(anomalies, t.note);
    const payload = bytes.subarray(t.payloadOffset, t.capturedEnd);
    const ip = this.ip;
    return {
      frameNo: frame.frameNo,
      ts: frame.ts,
      frames: whole === null ? [frame.frameNo] : whole.frames,
      ipVersion: ip.version,
      src: ip.src,
      dst: ip.dst,
      sport: t.sport,
      dport: t.dport,
      transport,
      tcp: transport === 'tcp' ? { seq: t.seq, ack: t.ack, flags: t.flags, window: t.window } : undefined,
      payload,
      payloadLength: t.payloadLength,
      truncated: payload.length < t.payloadLength,
      vlan: this.link.vlan ?? NO_VLAN,
      anomalies,
    };
  }

  /** Count `anomaly` and add it to `list` (copying the shared empty list rather than mutating it). */
  private attach(list: Anomaly[], anomaly: Anomaly): Anomaly[] {
    this.count(anomaly);
    if (list === NO_ANOMALIES) return [anomaly];
    if (!list.includes(anomaly)) list.push(anomaly);
    return list;
  }

  private drop(outcome: Exclude<DecodeOutcome, 'ok'>): null {
    if (outcome !== 'skip') this.count(outcome);
    return null;
  }

  /** Drop a reassembled datagram, not counting again an anomaly its fragments already reported. */
  private dropReassembled(outcome: Exclude<DecodeOutcome, 'ok'>, noted: Anomaly[] | null): null {
    if (outcome === 'skip' || (noted !== null && noted.includes(outcome))) return null;
    return this.drop(outcome);
  }

  private count(anomaly: Anomaly): void {
    this.counters[anomaly] = (this.counters[anomaly] ?? 0) + 1;
  }
}

/**
 * The volume attacks: state that grows with every frame unless capped. Built by patching one template frame per
 * record into a single buffer (a million small builder calls would take longer than the run they test), with
 * constant times where the attack does not need them to move, so gzip keeps the files small.
 *
 * - millionCalls: NFSv3 GETATTR calls over UDP, one client, XIDs counting up, never a reply: the pairing table
 *   (--max-pending) and the release queue (--max-held) fill. 10 000 calls per capture-second, so calls also time
 *   out (--reply-timeout, 60 s) once the capture passes a minute.
 * - tcpStreams: `streams` TCP connections joined mid-way (no SYN), each from its own client address, each sending
 *   a record-marked GETATTR call, then, once every connection is open, a second call after a gap of 1000 lost
 *   bytes. Never closed: every connection is live at the end (--max-streams).
 */
import { pcapHeader } from '../helpers/capture-builders';
import { buildCall, frameRecord } from '../helpers/rpc-builders';
import { tcpFrame } from '../helpers/synthetic-capture';
import { NFS, fh3, udpCall } from './hostile-frames';

const START = 1_700_000_000;
/** Ethernet (14) + IPv4 (20) + UDP (8): where the RPC message of a udpCall frame starts. */
const UDP_RPC = 42;
/** Ethernet (14): where the IPv4 header starts; its source address is 12 bytes in. */
const IP_SRC = 14 + 12;
/** Ethernet (14) + IPv4 (20) + TCP without options (20) + the record mark (4): a tcpFrame's RPC message. */
const TCP_RPC = 58;

/** A classic pcap (µs) of `n` records, each `template` patched by `patch(record, i)`, which returns its time. */
function patchedPcap(n: number, template: Uint8Array, patch: (frame: Buffer, i: number) => { sec: number; usec: number }): Buffer {
  const recLen = 16 + template.length;
  const out = Buffer.alloc(24 + n * recLen);
  pcapHeader({ snaplen: 65535 }).copy(out, 0);
  for (let i = 0; i < n; i++) {
    const o = 24 + i * recLen;
    const data = out.subarray(o + 16, o + recLen);
    data.set(template);
    const t = patch(data, i);
    out.writeUInt32LE(t.sec, o);
    out.writeUInt32LE(t.usec, o + 4);
    out.writeUInt32LE(template.length, o + 8);
    out.writeUInt32LE(template.length, o + 12);
  }
  return out;
}

export function millionCalls(n = 1_000_000): Buffer {
  const template = udpCall(0, NFS, 3, 1, fh3(0x42));
  return patchedPcap(n, template, (f, i) => {
    f.writeUInt32BE((0x10000000 + i) >>> 0, UDP_RPC);
    return { sec: START + Math.floor(i / 10_000), usec: 0 };
  });
}

/** 10.128.0.0/9 counted up: one client address per connection. */
function clientAddress(i: number): number {
  return (0x0a800000 + i) >>> 0;
}

export function tcpStreams(streams = 100_000): Buffer {
  const call = frameRecord(buildCall({ xid: 0x5eed0001, prog: NFS, vers: 3, proc: 1, body: fh3(0x43) }));
  const first = tcpFrame({ src: '10.128.0.0', dst: '10.9.0.2', sport: 900, dport: 2049, seq: 1000 }, call);
  // the second call: 1000 bytes after the end of the first (those bytes never appear: tcp_gap)
  const gapSeq = 1000 + call.length + 1000;
  const seqOffset = 14 + 20 + 4;
  return patchedPcap(2 * streams, first, (f, i) => {
    const s = i % streams;
    f.writeUInt32BE(clientAddress(s), IP_SRC);
    if (i >= streams) {
      f.writeUInt32BE(gapSeq, seqOffset);
      f.writeUInt32BE(0x5eed0002, TCP_RPC);
    }
    return { sec: START + (i >= streams ? 1 : 0), usec: 0 };
  });
}

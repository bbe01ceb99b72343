/**
 * A deliberately tiny classic-pcap + Ethernet/IPv4/TCP/UDP reader for the reassembly and record-marking tests, so
 * they can run real fixtures end to end without depending on src/capture and src/net (written in parallel).
 * No IP fragments, no IPv6 extension headers, no VLANs: enough for the loopback fixtures.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { L4Packet } from '../../src/net/l4-packet';

export const FIXTURES = path.resolve(__dirname, '..', '..', '..', 'fixtures');

export function fixturePath(name: string): string {
  // compiled tests live in <outDir>/test/helpers; fixtures stay in the source tree
  const candidates = [
    path.join(FIXTURES, name),
    path.resolve(__dirname, '..', '..', 'fixtures', name),
    path.resolve(process.cwd(), 'fixtures', name),
  ];
  for (const c of candidates) if (fs.existsSync(c)) return c;
  throw new Error(`fixture not found: ${name}`);
}

export function readPcapL4(file: string): L4Packet[] {
  const buf = fs.readFileSync(file);
  const magicLE = buf.readUInt32LE(0);
  let le: boolean;
  let nano: boolean;
  if (magicLE === 0xa1b2c3d4 || magicLE === 0xa1b23c4d) {
    le = true;
    nano = magicLE === 0xa1b23c4d;
  } else {
    const magicBE = buf.readUInt32BE(0);
    if (magicBE !== 0xa1b2c3d4 && magicBE !== 0xa1b23c4d) throw new Error('not a classic pcap');
    le = false;
    nano = magicBE === 0xa1b23c4d;
  }
  const r32 = (o: number): number => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const linkType = r32(20);
  if (linkType !== 1) throw new Error(`link type ${linkType} not supported by mini-pcap`);
  const out: L4Packet[] = [];
  let off = 24;
  let frameNo = 0;
  while (off + 16 <= buf.length) {
    const sec = r32(off);
    const frac = r32(off + 4);
    const capLen = r32(off + 8);
    const origLen = r32(off + 12);
    off += 16;
    const frame = new Uint8Array(buf.buffer, buf.byteOffset + off, Math.min(capLen, buf.length - off));
    off += capLen;
    frameNo++;
    const pkt = decodeEthernet(frame, origLen, frameNo, { sec, nsec: nano ? frac : frac * 1000 });
    if (pkt) out.push(pkt);
  }
  return out;
}

function decodeEthernet(f: Uint8Array, origLen: number, frameNo: number, ts: { sec: number; nsec: number }): L4Packet | null {
  if (f.length < 14) return null;
  const type = (f[12] << 8) | f[13];
  if (type !== 0x0800) return null;
  const ip = 14;
  if (f.length < ip + 20) return null;
  const ihl = (f[ip] & 0x0f) * 4;
  const total = (f[ip + 2] << 8) | f[ip + 3];
  const proto = f[ip + 9];
  const src = `${f[ip + 12]}.${f[ip + 13]}.${f[ip + 14]}.${f[ip + 15]}`;
  const dst = `${f[ip + 16]}.${f[ip + 17]}.${f[ip + 18]}.${f[ip + 19]}`;
  const l4 = ip + ihl;
  const ipEnd = Math.min(ip + total, 14 + Math.max(0, origLen - 14));
  const base = { frameNo, ts, frames: [frameNo], ipVersion: 4 as const, src, dst, vlan: [], anomalies: [] };
  if (proto === 6) {
    if (f.length < l4 + 20) return null;
    const sport = (f[l4] << 8) | f[l4 + 1];
    const dport = (f[l4 + 2] << 8) | f[l4 + 3];
    const seq = ((f[l4 + 4] << 24) | (f[l4 + 5] << 16) | (f[l4 + 6] << 8) | f[l4 + 7]) >>> 0;
    const ack = ((f[l4 + 8] << 24) | (f[l4 + 9] << 16) | (f[l4 + 10] << 8) | f[l4 + 11]) >>> 0;
    const doff = (f[l4 + 12] >> 4) * 4;
    const flags = f[l4 + 13];
    const window = (f[l4 + 14] << 8) | f[l4 + 15];
    const pstart = l4 + doff;
    const payloadLength = Math.max(0, ip + total - pstart);
    const payload = f.subarray(Math.min(pstart, f.length), Math.min(f.length, ipEnd));
    return {
      ...base,
      sport,
      dport,
      transport: 'tcp',
      tcp: { seq, ack, flags, window },
      payload,
      payloadLength,
      truncated: payload.length < payloadLength,
    };
  }
  if (proto === 17) {
    if (f.length < l4 + 8) return null;
    const sport = (f[l4] << 8) | f[l4 + 1];
    const dport = (f[l4 + 2] << 8) | f[l4 + 3];
    const ulen = (f[l4 + 4] << 8) | f[l4 + 5];
    const payloadLength = Math.max(0, ulen - 8);
    const payload = f.subarray(l4 + 8, Math.min(f.length, l4 + 8 + payloadLength));
    return { ...base, sport, dport, transport: 'udp', payload, payloadLength, truncated: payload.length < payloadLength };
  }
  return null;
}

/** Rows of a tshark .tsv (header line = column names). */
export function readTsv(file: string): Record<string, string>[] {
  const lines = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.length > 0);
  const cols = lines[0].split('\t');
  return lines.slice(1).map((l) => {
    const v = l.split('\t');
    const row: Record<string, string> = {};
    cols.forEach((c, i) => (row[c] = v[i] ?? ''));
    return row;
  });
}

/**
 * partial_records: many TCP connections each sending most of a large record and never the rest. Every direction
 * may hold one partial record of up to --max-record-size; without a shared bound, `conns` connections of
 * `sent` bytes each hold conns × sent bytes (64 × 15 MB: 960 MB). --max-record-buffer (64 MiB by default) bounds
 * the total: the partial record held longest is cut.
 *
 * Each connection opens with a handshake (so its client direction is in sync from its first byte), then sends a
 * record mark announcing (16 MiB - 64) bytes as the last fragment (RFC 5531 §11), an NFSv3 WRITE call header and
 * zeros, in 60 000-byte segments, one connection after the other, and stops `sent` bytes in. Written straight into
 * one buffer (960 MB of frames built one by one and then joined would need twice that); zero payload and
 * constant times keep the gzip file near 1 MB.
 */
import { pcapHeader } from '../helpers/capture-builders';
import { concat } from '../helpers/bytes';
import { buildCall, recordMark } from '../helpers/rpc-builders';
import { tcpFrame } from '../helpers/synthetic-capture';
import { CLIENT, NFS, SERVER, fh3, xdr } from './hostile-frames';

/** Bytes the record mark announces: under the default --max-record-size, so only the shared budget applies. */
export const PARTIAL_RECORD_LENGTH = (16 << 20) - 64;
const SEGMENT = 60_000;
const START = 1_700_000_000;

/** The first bytes of connection `i`'s record: its mark, then a WRITE call (RFC 1813 §3.3.7) of a whole record. */
function recordHead(i: number): Uint8Array {
  const args = concat(fh3(0x70), xdr((w) => w.u64(0n).u32(PARTIAL_RECORD_LENGTH).u32(2).u32(PARTIAL_RECORD_LENGTH)));
  const call = buildCall({ xid: 0x7a000000 + i, prog: NFS, vers: 3, proc: 7, body: args });
  return concat(recordMark(PARTIAL_RECORD_LENGTH, true), call);
}

export function partialRecords(conns = 64, sent = 15_000_000): Buffer {
  const frames: Array<() => Uint8Array> = [];
  const sizes: number[] = [];
  const zeros = new Uint8Array(SEGMENT);
  for (let c = 0; c < conns; c++) {
    const sport = 10_000 + c;
    const head = recordHead(c);
    const ep = { src: CLIENT, dst: SERVER, sport, dport: 2049 };
    const back = { src: SERVER, dst: CLIENT, sport: 2049, dport: sport };
    frames.push(() => tcpFrame({ ...ep, seq: 999, flags: 0x02 }));
    frames.push(() => tcpFrame({ ...back, seq: 4999, ack: 1000, flags: 0x12 }));
    sizes.push(0, 0);
    for (let o = 0; o < sent; o += SEGMENT) {
      const n = Math.min(SEGMENT, sent - o);
      const seq = 1000 + o;
      frames.push(() => {
        const payload = n === SEGMENT ? zeros : zeros.subarray(0, n);
        if (o === 0) return tcpFrame({ ...ep, seq, ack: 5000 }, concat(head, payload.subarray(head.length)));
        return tcpFrame({ ...ep, seq, ack: 5000 }, payload);
      });
      sizes.push(14 + 20 + 20 + n);
    }
  }
  // sizes: the data frames' lengths are known without building them; the handshake frames are built to measure
  const built = frames.map((f, i) => (sizes[i] === 0 ? f() : null));
  let total = 24;
  for (let i = 0; i < frames.length; i++) total += 16 + (built[i]?.length ?? sizes[i]);
  const out = Buffer.alloc(total);
  pcapHeader({ snaplen: 65535 }).copy(out, 0);
  let at = 24;
  for (let i = 0; i < frames.length; i++) {
    const data = built[i] ?? frames[i]();
    out.writeUInt32LE(START + Math.floor(i / 1000), at);
    out.writeUInt32LE(0, at + 4);
    out.writeUInt32LE(data.length, at + 8);
    out.writeUInt32LE(data.length, at + 12);
    out.set(data, at + 16);
    at += 16 + data.length;
  }
  return out;
}

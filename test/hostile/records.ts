/**
 * Hostile RPC content: record marks announcing 2^31-1 bytes, CALLIT/INDIRECT nested past the depth limit, and
 * lists that claim or carry far more entries than any decoder should keep.
 */
import { concat } from '../helpers/bytes';
import { buildAcceptedReply, buildCall, frameRecord, recordMark, type Auth } from '../helpers/rpc-builders';
import { MOUNT, NFS, PORTMAP, TcpFrames, fh3, udpCall, udpReply, xdr } from './hostile-frames';

const GETATTR = (xid: number): Uint8Array => buildCall({ xid, prog: NFS, vers: 3, proc: 1, body: fh3(0x51) });

/**
 * huge_record_marks: TCP streams whose record marks (RFC 5531 §11) announce huge records.
 * 901: last fragment of 2^31-1 bytes (0xffffffff), a call and 256 KiB follow; 902: a non-last fragment of 2^31-1
 * (0x7fffffff); 903: 280 non-last fragments of 60 000 bytes (16.8 MB, past the default --max-record-size) then a
 * last one; 904: 5000 empty last fragments (0x80000000) between two calls; 905: 20 000 empty non-last fragments
 * then a call; 906: 0xffffffff and the connection closes.
 */
export function hugeRecordMarkFrames(): Uint8Array[] {
  const c901 = new TcpFrames(901).send(concat(recordMark(0x7fffffff, true), GETATTR(0x901), new Uint8Array(256 << 10)));
  const c902 = new TcpFrames(902).send(concat(recordMark(0x7fffffff, false), GETATTR(0x902), new Uint8Array(64 << 10)));
  const frags: Uint8Array[] = [recordMark(60_000, false), GETATTR(0x903), new Uint8Array(60_000 - GETATTR(0).length)];
  for (let i = 1; i < 280; i++) frags.push(recordMark(60_000, false), new Uint8Array(60_000));
  const c903 = new TcpFrames(903).send(concat(...frags, frameRecord(GETATTR(0x9031))));
  const empties = new Uint8Array(5000 * 4);
  for (let o = 0; o < empties.length; o += 4) empties[o] = 0x80;
  const c904 = new TcpFrames(904).send(concat(frameRecord(GETATTR(0x904)), empties, frameRecord(GETATTR(0x9041))));
  const c905 = new TcpFrames(905).send(concat(new Uint8Array(20_000 * 4), frameRecord(GETATTR(0x905))));
  const c906 = new TcpFrames(906).send(recordMark(0x7fffffff, true)).fin();
  return [c901, c902, c903, c904, c905, c906].flatMap((c) => c.frames);
}

/** One indirect layer: the RPCBIND/PORTMAP procedure carrying the next one, and what its results put before the
 *  inner results' opaque length. */
interface Layer {
  vers: number;
  proc: number;
  /** pmap's call_result starts with a port, rpcb_rmtcallres with a universal address. */
  resHead: Uint8Array;
}

/** PORTMAP v2 CALLIT (RFC 1833 §3.2), RPCBIND v3 CALLIT and v4 INDIRECT (RFC 1833 §2.2.1, §2.2.2). */
const LAYERS: Layer[] = [
  { vers: 2, proc: 5, resHead: xdr((w) => w.u32(2049)) },
  { vers: 3, proc: 5, resHead: xdr((w) => w.string('10.9.0.2.8.1')) },
  { vers: 4, proc: 10, resHead: xdr((w) => w.string('10.9.0.2.8.1')) },
];

/**
 * Arguments and results of a GETATTR wrapped in `depth` indirect layers (layer i from the inside is LAYERS[i % 3]).
 * Every inner part is a multiple of 4 bytes, so the opaques need no padding and the nesting is a run of headers
 * (outermost first) before the innermost bytes — built in one pass, not by re-wrapping (quadratic at 20 000 deep).
 */
function nested(depth: number): { outer: Layer; args: Uint8Array; res: Uint8Array } {
  const argHeads: Uint8Array[] = [];
  const resHeads: Uint8Array[] = [];
  let prog = NFS;
  let vers = 3;
  let proc = 1;
  let argLen = fh3(0).length;
  let resLen = 4;
  let outer = LAYERS[0];
  for (let d = 0; d < depth; d++) {
    const [p, v, q, al, rl] = [prog, vers, proc, argLen, resLen];
    argHeads.push(xdr((w) => w.u32(p).u32(v).u32(q).u32(al)));
    outer = LAYERS[d % LAYERS.length];
    resHeads.push(concat(outer.resHead, xdr((w) => w.u32(rl))));
    argLen += 16;
    resLen += outer.resHead.length + 4;
    [prog, vers, proc] = [PORTMAP, outer.vers, outer.proc];
  }
  const args = concat(...argHeads.reverse(), fh3(0x52));
  const res = concat(...resHeads.reverse(), xdr((w) => w.u32(70))); // NFS3ERR_STALE: GETATTR3resfail is void
  return { outer, args, res };
}

/** nested_indirect: CALLIT/INDIRECT inside each other 3, 100 and 4000 deep over UDP, and 20 000 deep over TCP. */
export function nestedIndirectFrames(): Uint8Array[] {
  const frames: Uint8Array[] = [];
  [3, 100, 4000].forEach((depth, i) => {
    const n = nested(depth);
    frames.push(udpCall(0x1d0 + i, PORTMAP, n.outer.vers, n.outer.proc, n.args), udpReply(0x1d0 + i, PORTMAP, n.res));
  });
  const deep = nested(20_000);
  const c = new TcpFrames(907, 111);
  c.send(frameRecord(buildCall({ xid: 0x1df, prog: PORTMAP, vers: deep.outer.vers, proc: deep.outer.proc, body: deep.args })));
  c.reply(frameRecord(buildAcceptedReply({ xid: 0x1df, body: deep.res })));
  return frames.concat(c.frames);
}

/** `n` copies of `entry` then nothing: a value_follows-chained list that never says it ended. */
function endless(entry: Uint8Array, n: number): Uint8Array {
  const out = new Uint8Array(entry.length * n);
  for (let i = 0; i < n; i++) out.set(entry, i * entry.length);
  return out;
}

/**
 * huge_lists: lists and counts far past any real reply. Over UDP (a 64 KiB datagram): a READDIRPLUS call asking
 * for 2^32-1 bytes whose reply's first name claims 2^31 bytes; READDIR, READDIRPLUS, PORTMAP DUMP, RPCBIND DUMP
 * and MOUNT DUMP replies whose lists run to the datagram's end with no terminator; a MNT reply with 2^31 auth
 * flavors; an AUTH_UNIX credential with 2^32-1 gids. Over TCP (records of up to 16 MiB - 64): a READDIRPLUS reply
 * of 524 000 minimal entries, MOUNT DUMP of 349 000 entries and EXPORT with 524 000 groups, none terminated.
 */
export function hugeListFrames(): Uint8Array[] {
  const frames: Uint8Array[] = [];
  const verf = new Uint8Array(8);
  const dirplusArgs = concat(fh3(0x61), xdr((w) => w.u64(0n).fixed(verf).u32(0xffffffff).u32(0xffffffff)));
  const dirArgs = concat(fh3(0x61), xdr((w) => w.u64(0n).fixed(verf).u32(0xffffffff)));
  const dirHead = xdr((w) => w.u32(0).u32(0).fixed(verf));
  const UDP_ROOM = 65_000;
  // READDIRPLUS: the first entry's name claims 2^31 bytes
  frames.push(udpCall(0x2a0, NFS, 3, 17, dirplusArgs), udpReply(0x2a0, NFS, concat(dirHead, xdr((w) => w.u32(1).u64(1n).u32(0x80000000)))));
  // entryplus3 { fileid, name "", cookie, post_op_attr none, post_op_fh3 none }, value_follows before each
  const plusEntry = xdr((w) => w.u32(1).u64(7n).u32(0).u64(7n).u32(0).u32(0));
  frames.push(udpCall(0x2a1, NFS, 3, 17, dirplusArgs), udpReply(0x2a1, NFS, concat(dirHead, endless(plusEntry, Math.floor(UDP_ROOM / plusEntry.length)))));
  const dirEntry = xdr((w) => w.u32(1).u64(7n).u32(0).u64(7n));
  frames.push(udpCall(0x2a2, NFS, 3, 16, dirArgs), udpReply(0x2a2, NFS, concat(dirHead, endless(dirEntry, Math.floor(UDP_ROOM / dirEntry.length)))));
  // PORTMAP v2 DUMP: pmaplist { prog, vers, prot, port }; RPCBIND v4 DUMP: rpcb { prog, vers, netid, addr, owner }
  const pmapEntry = xdr((w) => w.u32(1).u32(NFS).u32(3).u32(17).u32(2049));
  frames.push(udpCall(0x2a3, PORTMAP, 2, 4, new Uint8Array(0)), udpReply(0x2a3, PORTMAP, endless(pmapEntry, Math.floor(UDP_ROOM / pmapEntry.length))));
  const rpcbEntry = xdr((w) => w.u32(1).u32(NFS).u32(3).u32(0).u32(0).u32(0));
  frames.push(udpCall(0x2a4, PORTMAP, 4, 4, new Uint8Array(0)), udpReply(0x2a4, PORTMAP, endless(rpcbEntry, Math.floor(UDP_ROOM / rpcbEntry.length))));
  // MOUNT DUMP: mountlist { hostname "", directory "" }
  const mountEntry = xdr((w) => w.u32(1).u32(0).u32(0));
  frames.push(udpCall(0x2a5, MOUNT, 3, 2, new Uint8Array(0)), udpReply(0x2a5, MOUNT, endless(mountEntry, Math.floor(UDP_ROOM / mountEntry.length))));
  // MNT reply: fhandle3, then auth_flavors<> claiming 2^31 entries
  frames.push(udpCall(0x2a6, MOUNT, 3, 1, xdr((w) => w.string('/export'))), udpReply(0x2a6, MOUNT, concat(xdr((w) => w.u32(0)), fh3(0x62), xdr((w) => w.u32(0x80000000).u32(1)))));
  // AUTH_UNIX with gids<16> claiming 2^32-1 entries (RFC 5531 Appendix A)
  const cred: Auth = { flavor: 1, body: xdr((w) => w.u32(1).string('client').u32(0).u32(0).u32(0xffffffff).u32(0).u32(0)) };
  frames.push(udpCall(0x2a7, NFS, 3, 1, fh3(0x63), cred));

  // TCP: whole records near the default --max-record-size (16 MiB)
  const RECORD = (16 << 20) - 64;
  const big = (head: Uint8Array, entry: Uint8Array): Uint8Array => concat(head, endless(entry, Math.floor((RECORD - head.length) / entry.length)));
  const nfs = new TcpFrames(908);
  nfs.send(frameRecord(buildCall({ xid: 0x2b0, prog: NFS, vers: 3, proc: 17, body: dirplusArgs })));
  nfs.reply(frameRecord(buildAcceptedReply({ xid: 0x2b0, body: big(dirHead, plusEntry) })));
  const mnt = new TcpFrames(909, 20048);
  mnt.send(frameRecord(buildCall({ xid: 0x2b1, prog: MOUNT, vers: 3, proc: 2 })));
  mnt.reply(frameRecord(buildAcceptedReply({ xid: 0x2b1, body: endless(mountEntry, Math.floor((4 << 20) / mountEntry.length)) })));
  mnt.send(frameRecord(buildCall({ xid: 0x2b2, prog: MOUNT, vers: 3, proc: 5 })));
  const group = xdr((w) => w.u32(1).u32(0));
  mnt.reply(frameRecord(buildAcceptedReply({ xid: 0x2b2, body: concat(xdr((w) => w.u32(1).string('/export')), endless(group, Math.floor((4 << 20) / group.length))) })));
  return frames.concat(nfs.frames, mnt.frames);
}

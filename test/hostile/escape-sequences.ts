/**
 * escape_sequences.pcap: every string rpcsnoop prints from the wire, made of terminal control sequences. A viewer
 * that writes these bytes raw clears the screen, retitles the window, recolours or rewrites earlier text, forges
 * extra lines or reverses what follows. Each message is a correct call or reply (so every decoder reaches the
 * string); only the strings are hostile. Strings are raw bytes: some are invalid UTF-8 on purpose.
 *
 * Strings per place: MOUNT MNT/UMNT dirpath, MNT's AUTH_UNIX machine name, MOUNT DUMP hostnames and directories,
 * MOUNT EXPORT directories and groups, NFS LOOKUP/CREATE/MKDIR/REMOVE/RENAME/LINK names, SYMLINK target, READLINK
 * result, READDIR and READDIRPLUS entry names, RPCBIND v4 GETADDR netid/uaddr/owner, its result, RPCBIND DUMP.
 */
import { concat } from '../helpers/bytes';
import { authUnix } from '../helpers/rpc-builders';
import { EMPTY_SATTR3, EMPTY_WCC, MOUNT, NFS, PORTMAP, dirop, fh3, udpCall, udpReply, xdr } from './hostile-frames';

function latin1(s: string): Uint8Array {
  return Uint8Array.from(Buffer.from(s, 'latin1'));
}

function utf8(s: string): Uint8Array {
  return Uint8Array.from(Buffer.from(s, 'utf8'));
}

/** The sequences, by what they do to a terminal that receives them raw. */
export const SEQUENCES = {
  /** ESC [ 2 J, ESC [ H: clear the screen, cursor home (CSI, ECMA-48 §5.4). */
  clear: latin1('\x1b[2J\x1b[H'),
  /** OSC 0 ; text BEL: set the window title; and one ended by ST (ESC \). */
  title: latin1('\x1b]0;owned\x07'),
  titleSt: latin1('\x1b]2;owned\x1b\\'),
  /** Bare BEL: rings the bell. */
  bel: latin1('\x07'),
  /** C1 CSI as one raw byte 0x9b (an 8-bit terminal takes it for ESC [; invalid UTF-8 on its own). */
  c1Csi: latin1('\x9b31m'),
  /** U+009B encoded in UTF-8 (C2 9B): a UTF-8 terminal with C1 controls enabled acts on it. */
  c1CsiUtf8: utf8('\u009b1;31m'),
  /** Backspaces over text already written, and a carriage return that rewrites the line from its start. */
  backspace: latin1('secret\b\b\b\b\b\bpublic'),
  carriageReturn: latin1('hidden\rshown '),
  /** A newline: a forged output line. */
  newline: latin1('x\n   1   0.00000 forged -> line NFS R GETATTR3 OK'),
  /** U+202E RIGHT-TO-LEFT OVERRIDE in UTF-8: what follows is shown reversed ("exe.txt" reads "txt.exe"). */
  bidi: utf8('invoice\u202etxt.exe'),
  /** Invalid UTF-8: lone continuation bytes, a truncated sequence, an overlong '/', a UTF-16 surrogate, 0xff. */
  invalidUtf8: Uint8Array.of(0x66, 0xff, 0xfe, 0xc3, 0x28, 0xa0, 0xa1, 0xc0, 0xaf, 0xed, 0xa0, 0x80, 0x67),
  /** DEL and NUL. */
  delNul: latin1('a\x7fb\x00c'),
} as const;

const S = SEQUENCES;
const path = (...parts: Uint8Array[]): Uint8Array => concat(latin1('/export/'), ...parts);

/** The capture's frames, call then reply, XIDs counting up from 0x0e5c0001. */
export function escapeSequenceFrames(): Uint8Array[] {
  const frames: Uint8Array[] = [];
  let xid = 0x0e5c0000;
  const pair = (prog: number, vers: number, proc: number, args: Uint8Array, result: Uint8Array | null, machine?: Uint8Array): void => {
    xid++;
    // authUnix() takes a JS string: the machine name is patched in as raw bytes instead
    const cred = machine ? { flavor: 1, body: xdr((w) => w.u32(0x5eed).opaque(machine).u32(0).u32(0).u32(0)) } : authUnix({ machine: 'client', uid: 0, gid: 0 });
    frames.push(udpCall(xid, prog, vers, proc, args, cred));
    if (result) frames.push(udpReply(xid, prog, result));
  };
  const mntOk = (seed: number): Uint8Array => concat(xdr((w) => w.u32(0)), fh3(seed), xdr((w) => w.u32(1).u32(1)));

  // MOUNT v3 (RFC 1813 Appendix I): MNT with hostile paths and machine names; the handles learn those paths (--names)
  pair(MOUNT, 3, 1, xdr((w) => w.opaque(path(S.clear, S.title))), mntOk(0x11), concat(S.clear, latin1('host'), S.title));
  pair(MOUNT, 3, 1, xdr((w) => w.opaque(path(S.c1Csi, S.bidi))), mntOk(0x12), concat(S.c1Csi, S.c1CsiUtf8));
  pair(MOUNT, 3, 1, xdr((w) => w.opaque(path(S.invalidUtf8, S.newline))), mntOk(0x13), concat(S.backspace, S.carriageReturn));
  pair(MOUNT, 3, 3, xdr((w) => w.opaque(path(S.titleSt, S.bel, S.delNul))), new Uint8Array(0), S.bidi);
  // DUMP: mountlist { hostname, directory, next }
  pair(
    MOUNT,
    3,
    2,
    new Uint8Array(0),
    xdr((w) => w.u32(1).opaque(concat(S.clear, latin1('client'))).opaque(path(S.title)).u32(1).opaque(S.newline).opaque(path(S.bidi)).u32(0)),
  );
  // EXPORT: exports { dir, groups { name, next }, next }
  pair(
    MOUNT,
    3,
    5,
    new Uint8Array(0),
    xdr((w) => w.u32(1).opaque(path(S.c1CsiUtf8)).u32(1).opaque(S.title).u32(1).opaque(S.invalidUtf8).u32(0).u32(1).opaque(path(S.carriageReturn)).u32(0).u32(0)),
  );

  // NFSv3 (RFC 1813 §3.3): names in the directory 0x11 (mounted above)
  const lookupOk = (seed: number): Uint8Array => concat(xdr((w) => w.u32(0)), fh3(seed), xdr((w) => w.u32(0).u32(0)));
  const createOk = (seed: number): Uint8Array => concat(xdr((w) => w.u32(0).u32(1)), fh3(seed), xdr((w) => w.u32(0)), EMPTY_WCC);
  pair(NFS, 3, 3, dirop(0x11, concat(S.clear, S.title)), lookupOk(0x21)); // LOOKUP
  pair(NFS, 3, 3, dirop(0x11, S.bidi), lookupOk(0x22));
  pair(NFS, 3, 8, concat(dirop(0x11, concat(S.c1Csi, S.backspace)), xdr((w) => w.u32(0)), EMPTY_SATTR3), createOk(0x23)); // CREATE
  pair(NFS, 3, 9, concat(dirop(0x11, concat(S.newline, S.carriageReturn)), EMPTY_SATTR3), createOk(0x24)); // MKDIR
  // SYMLINK: symlinkdata3 { sattr3, nfspath3 target }
  pair(NFS, 3, 10, concat(dirop(0x11, S.invalidUtf8), EMPTY_SATTR3, xdr((w) => w.opaque(concat(S.clear, S.titleSt, S.bel, S.bidi)))), createOk(0x25));
  // READLINK: post_op_attr, nfspath3
  pair(NFS, 3, 5, fh3(0x25), xdr((w) => w.u32(0).u32(0).opaque(concat(latin1('../'), S.c1CsiUtf8, S.newline))));
  pair(NFS, 3, 12, dirop(0x11, concat(S.delNul, S.title)), concat(xdr((w) => w.u32(0)), EMPTY_WCC)); // REMOVE
  pair(NFS, 3, 14, concat(dirop(0x11, S.bidi), dirop(0x11, concat(S.clear, S.carriageReturn))), concat(xdr((w) => w.u32(0)), EMPTY_WCC, EMPTY_WCC)); // RENAME
  pair(NFS, 3, 15, concat(fh3(0x21), dirop(0x11, concat(S.backspace, S.c1Csi))), concat(xdr((w) => w.u32(0).u32(0)), EMPTY_WCC)); // LINK
  // READDIR: entries { fileid, name, cookie, next }, eof
  const verf = new Uint8Array(8).fill(0x77);
  pair(
    NFS,
    3,
    16,
    concat(fh3(0x11), xdr((w) => w.u64(0n).fixed(verf).u32(8192))),
    xdr((w) => {
      w.u32(0).u32(0).fixed(verf);
      const names = [S.clear, S.title, S.c1Csi, S.c1CsiUtf8, S.backspace, S.carriageReturn, S.newline, S.bidi, S.invalidUtf8, S.delNul, S.titleSt, S.bel];
      names.forEach((n, i) => w.u32(1).u64(BigInt(100 + i)).opaque(n).u64(BigInt(i + 1)));
      w.u32(0).u32(1);
    }),
  );
  // READDIRPLUS: entries { fileid, name, cookie, post_op_attr, post_op_fh3, next }, eof
  pair(
    NFS,
    3,
    17,
    concat(fh3(0x11), xdr((w) => w.u64(0n).fixed(verf).u32(4096).u32(32768))),
    xdr((w) => {
      w.u32(0).u32(0).fixed(verf);
      [concat(S.title, S.clear), concat(S.bidi, S.newline), concat(S.invalidUtf8, S.c1Csi)].forEach((n, i) => {
        w.u32(1).u64(BigInt(200 + i)).opaque(n).u64(BigInt(i + 1)).u32(0).u32(1).opaque(new Uint8Array(28).fill(0x30 + i));
      });
      w.u32(0).u32(1);
    }),
  );

  // RPCBIND v4 (RFC 1833 §2.1): rpcb { prog, vers, netid, addr, owner }
  const rpcb = (netid: Uint8Array, addr: Uint8Array, owner: Uint8Array): Uint8Array => xdr((w) => w.u32(NFS).u32(3).opaque(netid).opaque(addr).opaque(owner));
  pair(PORTMAP, 4, 3, rpcb(concat(latin1('udp'), S.clear), concat(latin1('10.9.0.2.8.1'), S.title), S.bidi), xdr((w) => w.opaque(concat(latin1('10.9.0.2.8.1'), S.newline, S.c1Csi))));
  pair(PORTMAP, 4, 1, rpcb(S.invalidUtf8, S.carriageReturn, S.backspace), xdr((w) => w.u32(1))); // SET
  pair(
    PORTMAP,
    4,
    4,
    new Uint8Array(0),
    xdr((w) => {
      w.u32(1).u32(MOUNT).u32(3).opaque(concat(latin1('tcp'), S.titleSt)).opaque(concat(S.c1CsiUtf8, latin1('0.0.0.0.78.80'))).opaque(S.clear);
      w.u32(1).u32(NFS).u32(3).opaque(S.bidi).opaque(S.newline).opaque(concat(S.delNul, S.bel));
      w.u32(0);
    }),
  );
  return frames;
}

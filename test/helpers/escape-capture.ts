/**
 * A capture whose wire strings try to drive the terminal: every string field rpcsnoop shows (AUTH_UNIX machine names,
 * RPCBIND netid/uaddr/owner and address lists, PORTMAP, MOUNT dirpaths, export and group lists, mount lists, NFS file
 * names, symlink targets, READDIR/READDIRPLUS entries, rename pairs, learned paths) holds `hostile(tag)`: an erase-
 * screen CSI, an OSC window title ended by BEL, BS, CR, LF, TAB, DEL, the bidi controls U+202E and U+2066, the C1
 * control U+009B (CSI on many terminals) and the bytes 0x9b and 0xff that are not valid UTF-8. UDP, one message per
 * frame, each call answered.
 */
import { concat } from './bytes';
import { buildAcceptedReply, buildCall, XdrWriter } from './rpc-builders';
import { pcapBytes, udpFrame } from './synthetic-capture';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** The hostile bytes, tagged so a test can find the field they ended up in. */
export function hostile(tag: string): Uint8Array {
  return concat(utf8(`${tag}<`), utf8('\x1b[2J\x1b]0;owned\x07\b\r\n\t\x7f'), utf8('\u202e\u2066\u009b'), Uint8Array.of(0x9b, 0xff), utf8('>'));
}

/** What every hostile string must look like once escaped (text output), whatever the tag. */
export const ESCAPED_FORMS = ['\\x1b[2J', '\\x1b]0;owned\\x07', '\\x08\\r\\n\\t\\x7f', '\\u202e\\u2066\\u009b', '\\x9b\\xff'];

const CLIENT = { src: '10.9.0.2', dst: '10.9.0.1' };
const SERVER = { src: '10.9.0.1', dst: '10.9.0.2' };
const EMPTY = new Uint8Array(0);

function str(w: XdrWriter, b: Uint8Array): XdrWriter {
  return w.opaque(b);
}

const fh = (n: number): Uint8Array => new Uint8Array(16).fill(n);

/** The frames of the capture (Ethernet). */
export function escapeFrames(): Uint8Array[] {
  const frames: Uint8Array[] = [];
  let xid = 0x0e5c0000;
  // AUTH_UNIX with the hostile machine name: stamp, machine, uid, gid, gids (RFC 5531 Appendix A)
  const machineCred = { flavor: 1, body: str(new XdrWriter().u32(1), hostile('machine')).u32(0).u32(0).u32(0).bytes() };
  const exchange = (port: number, prog: number, vers: number, proc: number, args: Uint8Array, result: Uint8Array | null, acceptStat = 0): void => {
    xid++;
    frames.push(udpFrame({ ...CLIENT, sport: 800, dport: port }, buildCall({ xid, prog, vers, proc, cred: machineCred, body: args })));
    frames.push(udpFrame({ ...SERVER, sport: port, dport: 800 }, buildAcceptedReply({ xid, acceptStat, body: result ?? EMPTY })));
  };
  const rpcb = (tag: string): XdrWriter => {
    const w = new XdrWriter().u32(100005).u32(3);
    str(w, hostile(`${tag}-netid`));
    str(w, hostile(`${tag}-uaddr`));
    return str(w, hostile(`${tag}-owner`));
  };
  // PORTMAP GETPORT for MOUNT (teaches port 20048), RPCBIND SET / GETADDR / DUMP / GETADDRLIST
  exchange(111, 100000, 2, 3, new XdrWriter().u32(100005).u32(3).u32(17).u32(0).bytes(), new XdrWriter().u32(20048).bytes());
  exchange(111, 100000, 3, 1, rpcb('set').bytes(), new XdrWriter().u32(1).bytes());
  exchange(111, 100000, 4, 3, rpcb('getaddr').bytes(), str(new XdrWriter(), hostile('getaddr-reply')).bytes());
  exchange(111, 100000, 3, 4, EMPTY, concat(new XdrWriter().u32(1).bytes(), rpcb('dump').bytes(), new XdrWriter().u32(0).bytes()));
  {
    const w = new XdrWriter().u32(1);
    str(w, hostile('list-maddr'));
    str(w, hostile('list-netid'));
    w.u32(1);
    str(w, hostile('list-fmly'));
    str(w, hostile('list-proto'));
    exchange(111, 100000, 4, 11, rpcb('addrlist').bytes(), w.u32(0).bytes());
  }
  // MOUNT v3: MNT of a hostile export (root handle 1), a refused MNT, EXPORT and DUMP lists
  exchange(20048, 100005, 3, 1, str(new XdrWriter(), hostile('export')).bytes(), new XdrWriter().u32(0).opaque(fh(1)).u32(1).u32(1).bytes());
  exchange(20048, 100005, 3, 1, str(new XdrWriter(), hostile('denied')).bytes(), new XdrWriter().u32(13).bytes());
  {
    const w = new XdrWriter().u32(1);
    str(w, hostile('exports-dir'));
    w.u32(1);
    str(w, hostile('exports-group'));
    exchange(20048, 100005, 3, 5, EMPTY, w.u32(0).u32(0).bytes());
  }
  {
    const w = new XdrWriter().u32(1);
    str(w, hostile('dump-host'));
    str(w, hostile('dump-dir'));
    exchange(20048, 100005, 3, 2, EMPTY, w.u32(0).bytes());
  }
  // NFSv3: LOOKUP of a hostile name (handle 2), GETATTR of it (learned path), READLINK, READ (--stats lists the file
  // by its path), READDIR, READDIRPLUS, SYMLINK,
  // RENAME, a failed LOOKUP
  const diropargs = (dir: Uint8Array, tag: string): XdrWriter => str(new XdrWriter().opaque(dir), hostile(tag));
  exchange(2049, 100003, 3, 3, diropargs(fh(1), 'lookup').bytes(), new XdrWriter().u32(0).opaque(fh(2)).u32(0).u32(0).bytes());
  exchange(2049, 100003, 3, 1, new XdrWriter().opaque(fh(2)).bytes(), new XdrWriter().u32(70).bytes());
  exchange(2049, 100003, 3, 5, new XdrWriter().opaque(fh(2)).bytes(), str(new XdrWriter().u32(0).u32(0), hostile('readlink')).bytes());
  exchange(2049, 100003, 3, 6, new XdrWriter().opaque(fh(2)).u64(0n).u32(4).bytes(), new XdrWriter().u32(0).u32(0).u32(4).u32(1).opaque(utf8('data')).bytes());
  {
    const w = new XdrWriter().u32(0).u32(0).fixed(new Uint8Array(8)).u32(1).u64(7n);
    str(w, hostile('readdir'));
    exchange(2049, 100003, 3, 16, new XdrWriter().opaque(fh(1)).u64(0n).fixed(new Uint8Array(8)).u32(4096).bytes(), w.u64(1n).u32(0).u32(1).bytes());
  }
  {
    const w = new XdrWriter().u32(0).u32(0).fixed(new Uint8Array(8)).u32(1).u64(8n);
    str(w, hostile('readdirplus'));
    w.u64(2n).u32(0).u32(1).opaque(fh(3));
    exchange(2049, 100003, 3, 17, new XdrWriter().opaque(fh(1)).u64(0n).fixed(new Uint8Array(8)).u32(4096).u32(8192).bytes(), w.u32(0).u32(1).bytes());
  }
  {
    const args = diropargs(fh(1), 'symlink').u32(0).u32(0).u32(0).u32(0).u32(0).u32(0);
    str(args, hostile('symlink-target'));
    exchange(2049, 100003, 3, 10, args.bytes(), new XdrWriter().u32(0).u32(1).opaque(fh(4)).u32(0).u32(0).u32(0).bytes());
  }
  {
    const args = diropargs(fh(1), 'rename-from');
    str(args.opaque(fh(1)), hostile('rename-to'));
    exchange(2049, 100003, 3, 14, args.bytes(), new XdrWriter().u32(0).u32(0).u32(0).u32(0).u32(0).bytes());
  }
  exchange(2049, 100003, 3, 3, diropargs(fh(1), 'missing').bytes(), new XdrWriter().u32(2).u32(0).bytes());
  return frames;
}

/** The capture as a classic pcap file. */
export function escapePcap(): Buffer {
  return pcapBytes(escapeFrames());
}

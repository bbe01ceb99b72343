/**
 * Small glue for the hostile capture builders (test/hostile/*.ts): ONC RPC calls and replies over UDP between one
 * client and one server, on top of the shared builders (rpc-builders.ts, synthetic-capture.ts). Nothing here
 * writes files; generate.ts does.
 */
import { concat } from '../helpers/bytes';
import { XdrWriter, buildAcceptedReply, buildCall, type Auth } from '../helpers/rpc-builders';
import { udpFrame } from '../helpers/synthetic-capture';

export const CLIENT = '10.9.0.1';
export const SERVER = '10.9.0.2';
export const CLIENT_PORT = 871;

export const PORTMAP = 100000;
export const NFS = 100003;
export const MOUNT = 100005;

/** Well-known ports the frames are sent to (rpcbind, mountd as Linux's rpc.mountd often sits, nfsd). */
export const PORT: Record<number, number> = { [PORTMAP]: 111, [NFS]: 2049, [MOUNT]: 20048 };

/** A UDP call from the client to the program's port. */
export function udpCall(xid: number, prog: number, vers: number, proc: number, args: Uint8Array, cred?: Auth): Uint8Array {
  const msg = buildCall({ xid, prog, vers, proc, body: args, cred });
  return udpFrame({ src: CLIENT, dst: SERVER, sport: CLIENT_PORT, dport: PORT[prog] ?? 2049 }, msg);
}

/** A successful UDP reply from the program's port back to the client. */
export function udpReply(xid: number, prog: number, results: Uint8Array): Uint8Array {
  const msg = buildAcceptedReply({ xid, body: results });
  return udpFrame({ src: SERVER, dst: CLIENT, sport: PORT[prog] ?? 2049, dport: CLIENT_PORT }, msg);
}

/** XDR bytes from a writer callback (keeps the builders one expression each). */
export function xdr(fill: (w: XdrWriter) => unknown): Uint8Array {
  const w = new XdrWriter();
  fill(w);
  return w.bytes();
}

/** A 28-byte NFSv3 file handle (opaque<64>) whose bytes all equal `seed`. */
export function fh3(seed: number): Uint8Array {
  return xdr((w) => w.opaque(new Uint8Array(28).fill(seed & 0xff)));
}

/** sattr3 with nothing set (RFC 1813 §2.6: six discriminants, all false / DONT_CHANGE). */
export const EMPTY_SATTR3 = xdr((w) => w.u32(0).u32(0).u32(0).u32(0).u32(0).u32(0));

/** wcc_data with neither pre nor post attributes (RFC 1813 §2.6). */
export const EMPTY_WCC = xdr((w) => w.u32(0).u32(0));

/** diropargs3 { fh dir; filename name } with the name as raw bytes (RFC 1813 §2.6). */
export function dirop(dirSeed: number, name: Uint8Array): Uint8Array {
  return concat(fh3(dirSeed), xdr((w) => w.opaque(name)));
}

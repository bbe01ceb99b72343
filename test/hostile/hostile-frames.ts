/**
 * Small glue for the hostile capture builders (test/hostile/*.ts): ONC RPC calls and replies over UDP between one
 * client and one server, on top of the shared builders (rpc-builders.ts, synthetic-capture.ts). Nothing here
 * writes files; generate.ts does.
 */
import { concat } from '../helpers/bytes';
import { XdrWriter, buildAcceptedReply, buildCall, type Auth } from '../helpers/rpc-builders';
import { tcpFrame, udpFrame } from '../helpers/synthetic-capture';

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

/** One TCP connection as Ethernet frames: a handshake, then client data and server data cut into segments. */
export class TcpFrames {
  private seq = 1000;
  private serverSeq = 5000;
  readonly frames: Uint8Array[] = [];

  constructor(
    private readonly sport: number,
    private readonly dport = 2049,
  ) {
    this.frames.push(tcpFrame({ src: CLIENT, dst: SERVER, sport, dport, seq: this.seq - 1, flags: 0x02 })); // SYN
    this.frames.push(tcpFrame({ src: SERVER, dst: CLIENT, sport: dport, dport: sport, seq: this.serverSeq - 1, ack: this.seq, flags: 0x12 }));
  }

  /** Client data, `segment` bytes per frame (IPv4's 65535 bounds a segment at 65495). */
  send(bytes: Uint8Array, segment = 60_000): this {
    for (let o = 0; o < bytes.length; o += segment) {
      const part = bytes.subarray(o, Math.min(bytes.length, o + segment));
      this.frames.push(tcpFrame({ src: CLIENT, dst: SERVER, sport: this.sport, dport: this.dport, seq: this.seq, ack: this.serverSeq }, part));
      this.seq = (this.seq + part.length) >>> 0;
    }
    return this;
  }

  /** Server data, as send(). */
  reply(bytes: Uint8Array, segment = 60_000): this {
    for (let o = 0; o < bytes.length; o += segment) {
      const part = bytes.subarray(o, Math.min(bytes.length, o + segment));
      this.frames.push(tcpFrame({ src: SERVER, dst: CLIENT, sport: this.dport, dport: this.sport, seq: this.serverSeq, ack: this.seq }, part));
      this.serverSeq = (this.serverSeq + part.length) >>> 0;
    }
    return this;
  }

  /** Skip `n` client bytes: they were lost before the capture saw them. */
  lose(n: number): this {
    this.seq = (this.seq + n) >>> 0;
    return this;
  }

  fin(): this {
    this.frames.push(tcpFrame({ src: CLIENT, dst: SERVER, sport: this.sport, dport: this.dport, seq: this.seq, ack: this.serverSeq, flags: 0x11 }));
    this.seq = (this.seq + 1) >>> 0;
    return this;
  }
}

/**
 * A minimal ONC RPC client for the lab: the NFSv3 mount sequence over UDP or TCP, as real clients send it.
 * libnfs speaks MOUNT and NFS over TCP only; this client makes the same sequence over either transport, so that
 * the lab can capture both (test/lab/lab-mount-sequence.test.ts).
 *
 *   node dist/test/lab/mount-client.js --transport udp|tcp --server 127.0.0.1 --export /path [--mount-vers N] [--bind ADDR] [--json-failure]
 *
 * Sequence: PORTMAP v2 GETPORT(MOUNT 100005 v3, proto UDP/TCP) → MOUNT v3 NULL → MNT(export) → PORTMAP GETPORT(NFS
 * 100003 v3, same proto) → NFS v3 NULL → FSINFO(root fh) → GETATTR(root fh) → MOUNT UMNT(export). PORTMAP calls use
 * AUTH_NONE, MOUNT and NFS calls AUTH_UNIX (machine "rpcsnoop-lab", uid/gid 0). Each transport gets one socket per
 * server port, like real clients (rpcbind, mountd, nfsd); TCP uses RFC 5531 record marking.
 *
 * Every call waits 2 s for its reply; over UDP it is sent up to 3 times with the SAME xid (a retransmission, as a
 * real client does, so that the server's duplicate request cache and a dissector's pairing see the real thing).
 * Replies are parsed minimally: xid, reply_stat/accept_stat, and what the next step needs (GETPORT's port, MNT's
 * fhandle3 and auth flavors, the nfsstat3 of FSINFO/GETATTR).
 *
 * One line per step on stderr; on success one JSON line on stdout (transport, ports, file handle, each call's
 * xid) for the test to check the capture against. Exit status 0 only when every step succeeded, 1 when a step
 * failed, 2 on a usage error. Talks to loopback addresses only (127.0.0.0/8, ::1): it is a lab tool.
 *
 * Options for failure cases (test/lab/lab-explain.test.ts); without them the behaviour above is unchanged:
 * - `--mount-vers N`: ask rpcbind for MOUNT version N and make the MOUNT calls (NULL, MNT, UMNT) with version N
 *   (default 3). A server without that version answers the MOUNT NULL with PROG_MISMATCH, and the client stops
 *   there. A successful v1/v2 MNT returns an fhstatus (RFC 1094 §A.4.2: a 32-byte handle), used as it is.
 * - `--bind ADDR`: send from this (loopback) address, e.g. 127.0.0.42, so that a capture filter can tell this
 *   client's traffic from anything else on lo (default: the kernel's choice, 127.0.0.1).
 * - `--json-failure`: when a step fails, still print one JSON line on stdout: `{"ok":false, transport, server,
 *   export, mountVers, error, calls}` (the calls made so far, the failing one last), exit status 1 as before.
 */
import { randomInt } from 'node:crypto';
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { AUTH_NONE, authUnix, buildCall, frameRecord, XdrWriter, type Auth } from '../helpers/rpc-builders';

export type Transport = 'udp' | 'tcp';

const PMAP_PORT = 111;
const PMAP_PROG = 100000;
const PMAP_VERS = 2;
const PMAPPROC_GETPORT = 3;
const MOUNT_PROG = 100005;
const MOUNT_VERS = 3;
const MOUNTPROC3_NULL = 0;
const MOUNTPROC3_MNT = 1;
const MOUNTPROC3_UMNT = 3;
const NFS_PROG = 100003;
const NFS_VERS = 3;
const NFSPROC3_NULL = 0;
const NFSPROC3_GETATTR = 1;
const NFSPROC3_FSINFO = 19;
const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;

export const CALL_TIMEOUT_MS = 2000;
export const UDP_TRIES = 3;
/** Largest reply record accepted over TCP (the sequence's replies are a few hundred bytes). */
const MAX_RECORD = 1 << 20;
const MACHINE_NAME = 'rpcsnoop-lab';

/** A step that failed: the message is meant for the user as it is. `calls`: the calls made until then (set by
 *  runMountSequence). */
export class ClientError extends Error {
  calls?: StepRecord[];
}

// ------------------------------------------------------------------------------------------------ replies

/** Reads XDR from a reply; every read past the end is a ClientError. */
class XdrReader {
  private o = 0;

  constructor(
    private readonly b: Buffer,
    private readonly what: string,
  ) {}

  u32(): number {
    if (this.o + 4 > this.b.length) throw new ClientError(`${this.what}: reply too short (${this.b.length} bytes)`);
    const v = this.b.readUInt32BE(this.o);
    this.o += 4;
    return v;
  }

  /** Fixed-length opaque of `n` bytes. */
  fixed(n: number): Buffer {
    const padded = n + ((4 - (n % 4)) % 4);
    if (this.o + padded > this.b.length) throw new ClientError(`${this.what}: reply too short (${this.b.length} bytes)`);
    const v = this.b.subarray(this.o, this.o + n);
    this.o += padded;
    return v;
  }

  /** Variable-length opaque of at most `max` bytes. */
  opaque(max: number): Buffer {
    const n = this.u32();
    if (n > max) throw new ClientError(`${this.what}: opaque of ${n} bytes in reply (at most ${max} allowed)`);
    const padded = n + ((4 - (n % 4)) % 4);
    if (this.o + padded > this.b.length) throw new ClientError(`${this.what}: reply too short (${this.b.length} bytes)`);
    const v = this.b.subarray(this.o, this.o + n);
    this.o += padded;
    return v;
  }
}

const ACCEPT_STAT = ['SUCCESS', 'PROG_UNAVAIL', 'PROG_MISMATCH', 'PROC_UNAVAIL', 'GARBAGE_ARGS', 'SYSTEM_ERR'];
const AUTH_STAT = ['AUTH_OK', 'AUTH_BADCRED', 'AUTH_REJECTEDCRED', 'AUTH_BADVERF', 'AUTH_REJECTEDVERF', 'AUTH_TOOWEAK', 'AUTH_INVALIDRESP', 'AUTH_FAILED'];
const MNT3_STAT: Record<number, string> = {
  0: 'MNT3_OK', 1: 'MNT3ERR_PERM', 2: 'MNT3ERR_NOENT', 5: 'MNT3ERR_IO', 13: 'MNT3ERR_ACCES', 20: 'MNT3ERR_NOTDIR',
  22: 'MNT3ERR_INVAL', 63: 'MNT3ERR_NAMETOOLONG', 10004: 'MNT3ERR_NOTSUPP', 10006: 'MNT3ERR_SERVERFAULT',
};
const NFS3_STAT: Record<number, string> = {
  0: 'NFS3_OK', 1: 'NFS3ERR_PERM', 2: 'NFS3ERR_NOENT', 5: 'NFS3ERR_IO', 13: 'NFS3ERR_ACCES', 22: 'NFS3ERR_INVAL',
  70: 'NFS3ERR_STALE', 10001: 'NFS3ERR_BADHANDLE', 10004: 'NFS3ERR_NOTSUPP', 10006: 'NFS3ERR_SERVERFAULT',
  10008: 'NFS3ERR_JUKEBOX',
};
const AUTH_FLAVOR: Record<number, string> = { 0: 'none', 1: 'unix', 2: 'short', 3: 'des', 6: 'gss' };

const statName = (table: Record<number, string> | string[], v: number): string =>
  (Array.isArray(table) ? table[v] : table[v]) ?? String(v);

/** The results of an accepted, successful reply, or a ClientError saying why there are none. */
function replyResults(rec: Buffer, what: string): XdrReader {
  const r = new XdrReader(rec, what);
  r.u32(); // xid, matched by the channel
  r.u32(); // REPLY, checked by the channel
  const replyStat = r.u32();
  if (replyStat === 1) {
    const rejectStat = r.u32();
    if (rejectStat === 0) {
      const low = r.u32();
      const high = r.u32();
      throw new ClientError(`${what}: call denied: RPC_MISMATCH (server speaks RPC ${low}-${high})`);
    }
    if (rejectStat === 1) throw new ClientError(`${what}: call denied: ${statName(AUTH_STAT, r.u32())}`);
    throw new ClientError(`${what}: call denied, reject_stat ${rejectStat}`);
  }
  if (replyStat !== 0) throw new ClientError(`${what}: bad reply_stat ${replyStat}`);
  r.u32(); // verifier flavor
  r.opaque(400); // verifier body
  const acceptStat = r.u32();
  if (acceptStat === 2) {
    const low = r.u32();
    const high = r.u32();
    throw new ClientError(`${what}: PROG_MISMATCH (server has versions ${low}-${high})`);
  }
  if (acceptStat !== 0) throw new ClientError(`${what}: ${statName(ACCEPT_STAT, acceptStat)}`);
  return r;
}

// ------------------------------------------------------------------------------------------------ channels

/** Sends a call and resolves with the reply record of the same xid (whole RPC message, xid first). */
interface Channel {
  call(msg: Uint8Array, xid: number, what: string): Promise<Buffer>;
  close(): Promise<void>;
}

const log = (line: string): void => {
  process.stderr.write(`mount-client: ${line}\n`);
};

function errText(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err && err.code === 'ECONNREFUSED') return 'connection refused (nothing listens there)';
  if (err && err.code === 'ECONNRESET') return 'connection reset by the server';
  return err && err.message ? err.message : String(e);
}

/** True when `rec` is the REPLY to `xid` (other records: stale replies, or a call; ignored). */
const isReplyTo = (rec: Buffer, xid: number): boolean => rec.length >= 8 && rec.readUInt32BE(0) === xid && rec.readUInt32BE(4) === 1;

class UdpChannel implements Channel {
  private waiting: { xid: number; resolve: (b: Buffer) => void; reject: (e: Error) => void } | null = null;

  private constructor(
    private readonly sock: dgram.Socket,
    private readonly where: string,
  ) {
    sock.on('message', (m: Buffer) => {
      const w = this.waiting;
      if (w && isReplyTo(m, w.xid)) {
        this.waiting = null;
        w.resolve(m);
      }
    });
    // a connected UDP socket reports ICMP port unreachable as ECONNREFUSED
    sock.on('error', (e) => {
      const w = this.waiting;
      this.waiting = null;
      w?.reject(new ClientError(`${where}: ${errText(e)}`));
    });
  }

  static open(host: string, port: number, bind?: string): Promise<UdpChannel> {
    const sock = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
    const where = `udp ${host} port ${port}`;
    return new Promise((resolve, reject) => {
      const onError = (e: Error): void => {
        sock.close();
        reject(new ClientError(`${where}: ${errText(e)}`));
      };
      sock.once('error', onError);
      const connect = (): void => {
        sock.connect(port, host, () => {
          sock.off('error', onError);
          resolve(new UdpChannel(sock, where));
        });
      };
      if (bind !== undefined) sock.bind({ address: bind, port: 0 }, connect);
      else connect();
    });
  }

  call(msg: Uint8Array, xid: number, what: string): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      let tries = 0;
      let timer: NodeJS.Timeout | undefined;
      const done = (): void => {
        if (timer) clearTimeout(timer);
      };
      this.waiting = {
        xid,
        resolve: (b) => {
          done();
          resolve(b);
        },
        reject: (e) => {
          done();
          reject(new ClientError(`${what}: ${e.message}`));
        },
      };
      const send = (): void => {
        tries++;
        if (tries > 1) log(`${what}: no reply within ${CALL_TIMEOUT_MS} ms, sending again (try ${tries} of ${UDP_TRIES}, same xid)`);
        this.sock.send(msg, (e) => {
          const w = this.waiting;
          if (e && w?.xid === xid) {
            this.waiting = null;
            w.reject(new ClientError(`${this.where}: send failed: ${errText(e)}`));
          }
        });
        timer = setTimeout(() => {
          if (this.waiting?.xid !== xid) return;
          if (tries < UDP_TRIES) {
            send();
            return;
          }
          this.waiting = null;
          reject(new ClientError(`${what}: no reply from ${this.where} after ${UDP_TRIES} tries of ${CALL_TIMEOUT_MS} ms`));
        }, CALL_TIMEOUT_MS);
      };
      send();
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.sock.close(() => resolve()));
  }
}

class TcpChannel implements Channel {
  private buf: Buffer = Buffer.alloc(0);
  private fragments: Buffer[] = [];
  private fragmentBytes = 0;
  private waiting: { xid: number; resolve: (b: Buffer) => void; reject: (e: Error) => void } | null = null;
  private failure: ClientError | null = null;

  private constructor(
    private readonly sock: net.Socket,
    private readonly where: string,
  ) {
    sock.on('data', (d: Buffer) => this.onData(d));
    sock.on('error', (e) => this.fail(new ClientError(`${where}: ${errText(e)}`)));
    sock.on('close', () => this.fail(new ClientError(`${where}: the server closed the connection`)));
  }

  static open(host: string, port: number, bind?: string): Promise<TcpChannel> {
    const where = `tcp ${host} port ${port}`;
    return new Promise((resolve, reject) => {
      const sock = bind !== undefined ? net.connect({ host, port, localAddress: bind }) : net.connect({ host, port });
      sock.setNoDelay(true);
      const timer = setTimeout(() => {
        sock.destroy();
        reject(new ClientError(`${where}: no connection within ${CALL_TIMEOUT_MS} ms`));
      }, CALL_TIMEOUT_MS);
      const onError = (e: Error): void => {
        clearTimeout(timer);
        sock.destroy();
        reject(new ClientError(`${where}: ${errText(e)}`));
      };
      sock.once('error', onError);
      sock.once('connect', () => {
        clearTimeout(timer);
        sock.off('error', onError);
        resolve(new TcpChannel(sock, where));
      });
    });
  }

  private fail(e: ClientError): void {
    this.failure ??= e;
    const w = this.waiting;
    this.waiting = null;
    w?.reject(e);
  }

  /** RFC 5531 §11 record marking: 4-byte marks (last-fragment bit + length), fragments joined into records. */
  private onData(d: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
    while (this.buf.length >= 4) {
      const mark = this.buf.readUInt32BE(0);
      const len = mark & 0x7fffffff;
      if (this.fragmentBytes + len > MAX_RECORD) {
        this.fail(new ClientError(`${this.where}: reply record longer than ${MAX_RECORD} bytes: bad record mark 0x${mark.toString(16)}?`));
        this.sock.destroy();
        return;
      }
      if (this.buf.length < 4 + len) return;
      this.fragments.push(this.buf.subarray(4, 4 + len));
      this.fragmentBytes += len;
      this.buf = this.buf.subarray(4 + len);
      if (mark & 0x80000000) {
        const rec = Buffer.concat(this.fragments);
        this.fragments = [];
        this.fragmentBytes = 0;
        const w = this.waiting;
        if (w && isReplyTo(rec, w.xid)) {
          this.waiting = null;
          w.resolve(rec);
        }
      }
    }
  }

  call(msg: Uint8Array, xid: number, what: string): Promise<Buffer> {
    if (this.failure) return Promise.reject(new ClientError(`${what}: ${this.failure.message}`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        if (this.waiting?.xid !== xid) return;
        this.waiting = null;
        reject(new ClientError(`${what}: no reply from ${this.where} within ${CALL_TIMEOUT_MS} ms`));
      }, CALL_TIMEOUT_MS);
      this.waiting = {
        xid,
        resolve: (b) => {
          clearTimeout(timer);
          resolve(b);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(new ClientError(`${what}: ${e.message}`));
        },
      };
      this.sock.write(frameRecord(msg));
    });
  }

  close(): Promise<void> {
    this.failure ??= new ClientError(`${this.where}: closed`);
    this.sock.removeAllListeners('close');
    return new Promise((resolve) => {
      if (this.sock.destroyed) {
        resolve();
        return;
      }
      // end() sends our FIN; wait for the server's, but not forever
      const timer = setTimeout(() => {
        this.sock.destroy();
        resolve();
      }, CALL_TIMEOUT_MS);
      this.sock.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      this.sock.end();
    });
  }
}

// ------------------------------------------------------------------------------------------------ the sequence

export interface StepRecord {
  step: string;
  prog: number;
  vers: number;
  proc: number;
  xid: number;
}

export interface SequenceResult {
  transport: Transport;
  server: string;
  export: string;
  mountPort: number;
  nfsPort: number;
  /** The export's root file handle from MNT, lowercase hex. */
  fh: string;
  authFlavors: number[];
  calls: StepRecord[];
}

export interface SequenceOptions {
  transport: Transport;
  server: string;
  exportPath: string;
  /** MOUNT version asked from rpcbind and used for the MOUNT calls (default 3). */
  mountVers?: number;
  /** Local (source) address of every socket; default: the kernel's choice. */
  bind?: string;
}

/** The failure line of `--json-failure`. */
export interface SequenceFailure {
  ok: false;
  transport: Transport;
  server: string;
  export: string;
  mountVers: number;
  error: string;
  calls: StepRecord[];
}

export async function runMountSequence(opts: SequenceOptions): Promise<SequenceResult> {
  const calls: StepRecord[] = [];
  try {
    return await mountSequence(opts, calls);
  } catch (e) {
    if (e instanceof ClientError) e.calls = calls;
    throw e;
  }
}

async function mountSequence(opts: SequenceOptions, calls: StepRecord[]): Promise<SequenceResult> {
  const { transport, server, exportPath } = opts;
  const mountVers = opts.mountVers ?? MOUNT_VERS;
  const open = (port: number): Promise<Channel> => (transport === 'udp' ? UdpChannel.open(server, port, opts.bind) : TcpChannel.open(server, port, opts.bind));
  const proto = transport === 'udp' ? IPPROTO_UDP : IPPROTO_TCP;
  const unix: Auth = authUnix({ stamp: Math.floor(Date.now() / 1000), machine: MACHINE_NAME, uid: 0, gid: 0, gids: [] });
  let xid = randomInt(1, 0x7fffffff);
  let stepNo = 0;
  const STEPS = 8;

  /** One call: build, send, wait for the accepted reply, log the step. Returns the reader at the results. */
  const call = async (ch: Channel, step: string, prog: number, vers: number, proc: number, cred: Auth, args: Uint8Array, describe: (r: XdrReader) => string): Promise<void> => {
    stepNo++;
    const what = `${transport} ${step}`;
    const thisXid = xid++ >>> 0;
    calls.push({ step, prog, vers, proc, xid: thisXid });
    const t0 = performance.now();
    const rec = await ch.call(buildCall({ xid: thisXid, prog, vers, proc, cred, body: args }), thisXid, what);
    const ms = performance.now() - t0;
    const detail = describe(replyResults(rec, what));
    log(`${stepNo}/${STEPS} ${what}: ${detail} (xid 0x${thisXid.toString(16).padStart(8, '0')}, ${ms.toFixed(1)} ms)`);
  };
  const withChannel = async (port: number, body: (ch: Channel) => Promise<void>): Promise<void> => {
    const ch = await open(port);
    try {
      await body(ch);
    } finally {
      await ch.close();
    }
  };
  const getport = async (prog: number, name: string): Promise<number> => {
    let port = 0;
    await withChannel(PMAP_PORT, (ch) =>
      call(ch, `PORTMAP GETPORT ${name}`, PMAP_PROG, PMAP_VERS, PMAPPROC_GETPORT, AUTH_NONE,
        new XdrWriter().u32(prog).u32(prog === MOUNT_PROG ? mountVers : NFS_VERS).u32(proto).u32(0).bytes(),
        (r) => {
          port = r.u32();
          if (port === 0 || port > 65535) {
            const v = prog === MOUNT_PROG ? mountVers : NFS_VERS;
            throw new ClientError(`${transport} PORTMAP GETPORT ${name}: program ${prog} v${v} is not registered for ${transport} (port ${port})`);
          }
          return `port ${port}`;
        }),
    );
    return port;
  };
  const nfsStatus = (step: string) => (r: XdrReader): string => {
    const st = r.u32();
    if (st !== 0) throw new ClientError(`${transport} ${step}: ${statName(NFS3_STAT, st)}`);
    return 'NFS3_OK';
  };
  const dirpath = new XdrWriter().string(exportPath).bytes();

  const mountPort = await getport(MOUNT_PROG, 'MOUNT');
  const mnt = await open(mountPort);
  try {
    let fh: Buffer = Buffer.alloc(0);
    const authFlavors: number[] = [];
    await call(mnt, 'MOUNT NULL', MOUNT_PROG, mountVers, MOUNTPROC3_NULL, unix, new Uint8Array(0), () => 'ok');
    await call(mnt, `MOUNT MNT ${exportPath}`, MOUNT_PROG, mountVers, MOUNTPROC3_MNT, unix, dirpath, (r) => {
      const st = r.u32();
      if (st !== 0) throw new ClientError(`${transport} MOUNT MNT ${exportPath}: ${statName(MNT3_STAT, st)}`);
      if (mountVers < 3) {
        // RFC 1094 §A.4.2 fhstatus: a fixed 32-byte handle, no auth flavors
        fh = Buffer.from(r.fixed(32));
        return `OK fh ${fh.length} bytes ${fh.toString('hex')}`;
      }
      fh = Buffer.from(r.opaque(64));
      const n = r.u32();
      if (n > 64) throw new ClientError(`${transport} MOUNT MNT: ${n} auth flavors in reply`);
      for (let i = 0; i < n; i++) authFlavors.push(r.u32());
      return `MNT3_OK fh ${fh.length} bytes ${fh.toString('hex')}, auth ${authFlavors.map((f) => statName(AUTH_FLAVOR, f)).join(',') || '(none)'}`;
    });
    const nfsPort = await getport(NFS_PROG, 'NFS');
    const fhArg = new XdrWriter().opaque(fh).bytes();
    await withChannel(nfsPort, async (nfs) => {
      await call(nfs, 'NFS NULL', NFS_PROG, NFS_VERS, NFSPROC3_NULL, unix, new Uint8Array(0), () => 'ok');
      await call(nfs, 'NFS FSINFO', NFS_PROG, NFS_VERS, NFSPROC3_FSINFO, unix, fhArg, nfsStatus('NFS FSINFO'));
      await call(nfs, 'NFS GETATTR', NFS_PROG, NFS_VERS, NFSPROC3_GETATTR, unix, fhArg, nfsStatus('NFS GETATTR'));
    });
    await call(mnt, `MOUNT UMNT ${exportPath}`, MOUNT_PROG, mountVers, MOUNTPROC3_UMNT, unix, dirpath, () => 'ok');
    return { transport, server, export: exportPath, mountPort, nfsPort, fh: fh.toString('hex'), authFlavors, calls };
  } finally {
    await mnt.close();
  }
}

// ------------------------------------------------------------------------------------------------ command line

const USAGE = 'usage: node dist/test/lab/mount-client.js --transport udp|tcp [--server 127.0.0.1] --export /path [--mount-vers N] [--bind ADDR] [--json-failure]';

/** 127.0.0.0/8 or ::1 (also as ::ffff:127.x.y.z): the only places this client may talk to. */
export function isLoopback(addr: string): boolean {
  if (net.isIPv4(addr)) return addr.startsWith('127.');
  if (net.isIPv6(addr)) {
    const a = addr.toLowerCase();
    if (a === '::1' || a === '0:0:0:0:0:0:0:1') return true;
    const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
    return m !== null && m[1].startsWith('127.');
  }
  return false;
}

function usageError(msg: string): number {
  process.stderr.write(`mount-client: ${msg}\n${USAGE}\n`);
  return 2;
}

export async function main(argv: string[]): Promise<number> {
  let values: { transport?: string; server?: string; export?: string; 'mount-vers'?: string; bind?: string; 'json-failure'?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        transport: { type: 'string' },
        server: { type: 'string' },
        export: { type: 'string' },
        'mount-vers': { type: 'string' },
        bind: { type: 'string' },
        'json-failure': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    return usageError((e as Error).message);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const transport = values.transport;
  if (transport !== 'udp' && transport !== 'tcp') return usageError(`--transport must be udp or tcp (got ${transport ?? 'nothing'})`);
  const server = values.server ?? '127.0.0.1';
  if (!isLoopback(server)) return usageError(`--server ${server}: this lab client talks to loopback addresses only (127.0.0.0/8, ::1)`);
  const exportPath = values.export;
  if (!exportPath || !exportPath.startsWith('/')) return usageError('--export must be an absolute path');
  if (Buffer.byteLength(exportPath) > 1024) return usageError('--export is longer than MNTPATHLEN (1024 bytes)');
  const mv = values['mount-vers'] ?? String(MOUNT_VERS);
  if (!/^\d{1,9}$/.test(mv)) return usageError(`--mount-vers must be a version number (got ${mv})`);
  const mountVers = Number(mv);
  const bind = values.bind;
  if (bind !== undefined && !isLoopback(bind)) return usageError(`--bind ${bind}: this lab client uses loopback addresses only (127.0.0.0/8, ::1)`);

  const t0 = performance.now();
  try {
    const result = await runMountSequence({ transport, server, exportPath, mountVers, bind });
    log(`${transport}: all steps succeeded in ${(performance.now() - t0).toFixed(1)} ms`);
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return 0;
  } catch (e) {
    if (e instanceof ClientError) {
      log(`error: ${e.message}`);
      if (values['json-failure']) {
        const failure: SequenceFailure = { ok: false, transport, server, export: exportPath, mountVers, error: e.message, calls: e.calls ?? [] };
        process.stdout.write(`${JSON.stringify(failure)}\n`);
      }
      return 1;
    }
    throw e;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`mount-client: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exitCode = 70;
    },
  );
}
